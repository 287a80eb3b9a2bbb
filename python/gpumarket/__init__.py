"""Read gpumarket's run and sweep files (netCDF-4/CF HDF5) as xarray Datasets and pandas frames.

    import gpumarket as gm
    tick = gm.open_run("results/bear.h5")            # the per-tick series: time x venue, ...
    summary = gm.open_run("results/bear.h5", group="summary")
    frame = gm.to_frame(tick)                       # time, variable, axis, label, value, units
    grid = gm.open_sweep("results/mmc_grid.h5")     # points table over `row`, axes as coordinates
    why = gm.open_explain("results/a-vs-b.explain/explain.h5")  # indicator x group attribution
    bands = gm.open_bands("results/bull.ensemble.h5")  # mean and quantiles over replications
    gm.file_kind("results/bull.ensemble.h5")        # "run", "ensemble" or "sweep"

The layouts are docs/output.md (runs, attributions) and docs/sweeps.md (sweeps).
"""

from .explain import EXPLAIN_FORMAT, open_explain
from .files import (
    RUN_FORMAT,
    SWEEP_FORMAT,
    FormatError,
    file_kind,
    indicator_windows,
    open_bands,
    open_run,
    open_sweep,
    sweep_axes,
    sweep_indicators,
    timeline,
)
from .frames import to_frame

__all__ = [
    "EXPLAIN_FORMAT",
    "RUN_FORMAT",
    "SWEEP_FORMAT",
    "FormatError",
    "file_kind",
    "indicator_windows",
    "open_explain",
    "open_bands",
    "open_run",
    "open_sweep",
    "sweep_axes",
    "sweep_indicators",
    "timeline",
    "to_frame",
]
