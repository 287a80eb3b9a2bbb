"""Opening run and sweep files: format checks, then xarray's h5netcdf engine."""

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import xarray as xr

# The layouts this package reads: a run file's root attribute `gpumarket_format`
# (docs/output.md, "Format version") and a sweep file's root attribute `format`
# (docs/sweeps.md, "The result").
RUN_FORMAT = "2"
SWEEP_FORMAT = "gpumarket-sweep 2"

RUN_GROUPS = ("tick", "day", "summary")


class FormatError(ValueError):
    """A file that is not of the layout asked for; the message names the file and the versions."""


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_text(v) for v in value.tolist()] if value.shape else _text(value[()])
    return value


def _attributes(h5object):
    return {name: _text(value) for name, value in h5object.attrs.items()}


def _existing(path):
    path = Path(path)
    if not path.exists():
        partial = Path(str(path) + ".partial")
        hint = f"; '{partial}' is what a run that did not finish left" if partial.exists() else ""
        raise FileNotFoundError(f"{path}: no such file{hint}")
    return path


def _root_attributes(path):
    try:
        with h5py.File(path, "r") as f:
            attributes = _attributes(f)
            provenance = _attributes(f["provenance"]) if "provenance" in f else {}
    except OSError:
        raise FormatError(f"{path}: not an HDF5 file") from None
    return attributes, provenance


def file_kind(path):
    """What a gpumarket file is, from its root attributes alone: "run" (attribute
    gpumarket_format), "ensemble" (a sweep result with /bands: `gpumarket run FILE
    --replications N`) or "sweep" (a sweep result without bands, e.g. of several points).
    The version is not checked here: open_run, open_sweep and open_bands do that. Raises
    FormatError for a file that is neither."""
    path = _existing(path)
    attributes, _ = _root_attributes(path)
    if "gpumarket_format" in attributes:
        return "run"
    if str(attributes.get("format", "")).startswith("gpumarket-sweep"):
        with h5py.File(path, "r") as f:
            return "ensemble" if "bands" in f else "sweep"
    raise FormatError(f"{path}: has neither gpumarket_format nor format: not a gpumarket run "
                      "or sweep file")


def _check_run(path):
    attributes, provenance = _root_attributes(path)
    found = attributes.get("gpumarket_format")
    if found is None:
        if str(attributes.get("format", "")).startswith("gpumarket-sweep"):
            raise FormatError(f"{path}: is a sweep result ({attributes['format']}), not a run "
                              "file; open it with open_sweep")
        raise FormatError(f"{path}: has no attribute gpumarket_format: not a gpumarket run file, "
                          f"or one from before format {RUN_FORMAT} (run its scenario again)")
    if str(found) != RUN_FORMAT:
        raise FormatError(f"{path}: gpumarket_format is '{found}', but this package reads "
                          f"format '{RUN_FORMAT}'")
    if int(attributes.get("complete", 0)) != 1:
        raise FormatError(f"{path}: is not marked complete: the run that wrote it did not finish")
    return attributes, provenance


def open_run(path, group="tick"):
    """One group of a run file ("tick", "day" or "summary") as an xarray Dataset.

    Dimensions time (decoded to datetimes), venue, segment, bridge, chain, prover as the
    file has them. The Dataset's attrs hold the file's root attributes and those of
    /provenance (command_line, overrides, timeline_dates, timeline_labels and the
    indicators' dates). Raises FormatError naming the file and the version found when it is
    not a complete run file of format RUN_FORMAT.
    """
    path = _existing(path)
    attributes, provenance = _check_run(path)
    if group not in RUN_GROUPS:
        raise ValueError(f"{path}: group '{group}' is not one of {', '.join(RUN_GROUPS)}")
    ds = xr.open_dataset(path, engine="h5netcdf", group=group)
    ds.attrs.update(attributes)
    ds.attrs.update(provenance)
    ds.attrs["source_file"] = str(path)
    ds.attrs["group"] = group
    return ds


def _check_sweep(path):
    attributes, _ = _root_attributes(path)
    found = attributes.get("format")
    if found is None:
        kind = "a run file; open it with open_run" if "gpumarket_format" in attributes else \
            "not a gpumarket sweep result"
        raise FormatError(f"{path}: has no attribute format: {kind}")
    if found != SWEEP_FORMAT:
        raise FormatError(f"{path}: its format is '{found}', but this package reads "
                          f"'{SWEEP_FORMAT}' (run the sweep again)")
    return attributes


def _columns_by_role(ds, role):
    named = [(int(v.attrs.get("order", 0)), name) for name, v in ds.variables.items()
             if v.attrs.get("gpumarket_role") == role]
    return [name for _, name in sorted(named)]


def sweep_axes(ds):
    """The axis names of a sweep Dataset, in the sweep file's order."""
    return _columns_by_role(ds, "axis")


def sweep_indicators(ds):
    """The indicator names of a sweep Dataset, in the order the sweep collected them."""
    return _columns_by_role(ds, "indicator")


def open_sweep(path, group=None):
    """A sweep file's points table, or with `group` ("tick", "day", "summary") its kept series.

    The table: dimension `row`; point, replication, seed and every axis are coordinates along
    it, in their own types (an integer axis is int64, a text axis str); indicators, status and
    error are variables over it, and run_seconds (from /timing). A series group: arrays over
    (row, time[, venue ...]) for the rows that kept series, with the axes as coordinates along
    its `row`. Raises FormatError naming the file and the version found when it is not a
    sweep file of format SWEEP_FORMAT.
    """
    path = _existing(path)
    attributes = _check_sweep(path)
    table = xr.open_dataset(path, engine="h5netcdf")
    with h5py.File(path, "r") as f:
        if "timing/run_seconds" in f:
            table["run_seconds"] = ("row", f["timing/run_seconds"][()],
                                    _attributes(f["timing/run_seconds"]))
        kept = sorted(f["series"].keys()) if "series" in f else []
    table.attrs.update(attributes)
    table.attrs["source_file"] = str(path)
    if group is None:
        return table
    if group not in kept:
        raise ValueError(f"{path}: no kept series group '{group}' (kept: {', '.join(kept) or 'none'})")
    series = xr.open_dataset(path, engine="h5netcdf", group=f"series/{group}")
    rows = series["row"].values
    coordinates = {name: ("row", table[name].sel(row=rows).values, table[name].attrs)
                   for name in ["point", "replication", "seed"] + sweep_axes(table)}
    series = series.assign_coords(coordinates)
    series.attrs.update(attributes)
    series.attrs["source_file"] = str(path)
    series.attrs["group"] = group
    return series


def open_bands(path, group="tick"):
    """An ensemble file's bands of one run group ("tick", "day") as an xarray Dataset.

    Per series <name> of the run files: <name>_mean (time[, venue ...]), <name>_quantile
    (quantile, time[, venue ...]) and <name>_count (replications with a value), over the
    replications that finished (docs/output.md, "Ensemble bands"). Time is decoded to
    datetimes. Raises FormatError as open_sweep does, and ValueError when the file has no
    bands of that group (an ensemble run with --no-bands, or a sweep).
    """
    path = _existing(path)
    attributes = _check_sweep(path)
    with h5py.File(path, "r") as f:
        groups = sorted(f["bands"].keys()) if "bands" in f else []
        bands_attributes = _attributes(f["bands"]) if "bands" in f else {}
    if group not in groups:
        raise ValueError(f"{path}: no bands of group '{group}' (bands: {', '.join(groups) or 'none'})")
    bands = xr.open_dataset(path, engine="h5netcdf", group=f"bands/{group}")
    bands.attrs.update(attributes)
    bands.attrs.update(bands_attributes)
    bands.attrs["source_file"] = str(path)
    bands.attrs["group"] = group
    return bands


def timeline(ds):
    """The run's dated scenario changes as (pandas Timestamp, label) pairs, in time order."""
    dates = ds.attrs.get("timeline_dates", [])
    labels = ds.attrs.get("timeline_labels", [])
    if isinstance(dates, str):
        dates, labels = [dates], [labels]
    return [(pd.Timestamp(d), str(label)) for d, label in zip(list(dates), list(labels))]


def indicator_windows(ds):
    """The headline indicators' dates of a run: {"daa_venue": name, "daa_before": (from, to),
    "daa_after": (from, to), "bridge_split": date}, with pandas Timestamps; {} for a file that
    does not record them."""
    def values(key):
        value = ds.attrs.get(f"indicators.{key}")
        if value is None:
            return None
        return [value] if isinstance(value, str) else [str(v) for v in list(value)]

    windows = {}
    venue = values("daa_venue")
    if venue:
        windows["daa_venue"] = venue[0]
    for key in ("daa_before", "daa_after"):
        dates = values(key)
        if dates and len(dates) == 2:
            windows[key] = (pd.Timestamp(dates[0]), pd.Timestamp(dates[1]))
    split = values("bridge_split")
    if split:
        windows["bridge_split"] = pd.Timestamp(split[0])
    return windows
