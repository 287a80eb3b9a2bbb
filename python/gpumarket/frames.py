"""Tidy pandas frames of run and sweep Datasets."""

import pandas as pd
import xarray as xr

from .files import open_run

# Dimensions that index rows of a frame rather than label a column of a series.
_INDEX_DIMS = ("time", "row")
_COLUMNS = ["time", "row", "variable", "axis", "label", "value", "units"]


def _variable_frame(name, da):
    label_dims = [d for d in da.dims if d not in _INDEX_DIMS]
    if len(label_dims) > 1:
        raise ValueError(f"variable '{name}' has more than one label dimension: {da.dims}")
    if da.ndim == 0:
        frame = pd.DataFrame({"value": [da.item()]})
    else:
        frame = da.reset_coords(drop=True).to_series().rename("value").reset_index()
    axis = label_dims[0] if label_dims else ""
    frame = frame.rename(columns={axis: "label"}) if axis else frame.assign(label="")
    return frame.assign(variable=name, axis=axis, units=da.attrs.get("units_label", ""))


def to_frame(ds_or_path, variables=None, group="tick"):
    """A tidy frame: one row per time x label x variable (x row, for a sweep's series).

    `ds_or_path`: a Dataset from open_run or open_sweep, or a run file's path (then `group`
    says which group to read). `variables`: names to include (default: every series of the
    Dataset but the time bounds). Columns: time (datetime; absent for groups without time),
    row (sweep series only), variable, axis (the label's dimension, e.g. "venue"; "" for a
    series of one value per time), label (e.g. "golem"; ""), value, units (the unit label the
    model declares, as `gpumarket compare` prints it).
    """
    ds = ds_or_path if isinstance(ds_or_path, xr.Dataset) else open_run(ds_or_path, group)
    names = [n for n in ds.data_vars if n != "time_bnds"] if variables is None else list(variables)
    missing = [n for n in names if n not in ds.data_vars]
    if missing:
        raise KeyError(f"not in the Dataset: {', '.join(missing)} "
                       f"(it has {', '.join(map(str, ds.data_vars))})")
    frames = [_variable_frame(name, ds[name]) for name in names]
    if not frames:
        return pd.DataFrame(columns=[c for c in _COLUMNS if c not in ("time", "row")])
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[[c for c in _COLUMNS if c in frame.columns]]
    for column in ("variable", "axis", "label", "units"):
        frame[column] = frame[column].astype("category")
    return frame
