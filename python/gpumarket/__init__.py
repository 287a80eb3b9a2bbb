"""Read gpumarket's run and sweep files (netCDF-4/CF HDF5) as xarray Datasets and pandas frames.

    import gpumarket as gm
    tick = gm.open_run("results/bear.h5")            # the per-tick series: time x venue, ...
    summary = gm.open_run("results/bear.h5", group="summary")
    frame = gm.to_frame(tick)                       # time, variable, axis, label, value, units
    grid = gm.open_sweep("results/mmc_grid.h5")     # points table over `row`, axes as coordinates
    bands = gm.open_bands("results/bull.ensemble.h5")  # mean and quantiles over replications

The layouts are docs/output.md (runs) and docs/sweeps.md (sweeps).
"""

from .files import (
    RUN_FORMAT,
    SWEEP_FORMAT,
    FormatError,
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
    "RUN_FORMAT",
    "SWEEP_FORMAT",
    "FormatError",
    "indicator_windows",
    "open_bands",
    "open_run",
    "open_sweep",
    "sweep_axes",
    "sweep_indicators",
    "timeline",
    "to_frame",
]
