"""Opening an attribution file (`gpumarket explain`, docs/output.md "An attribution's file")."""

import xarray as xr

from .files import FormatError, _existing, _root_attributes

# The layout this package reads: the root attribute `gpumarket_format` of explain.h5.
EXPLAIN_FORMAT = "gpumarket-explain 1"


def open_explain(path):
    """An explain.h5 as an xarray Dataset over indicator, group and replication.

    contribution, ci_low, ci_high and permutation_se are (indicator, group); total,
    total_ci_low, total_ci_high, a_mean, b_mean, replications and units are (indicator);
    shapley is (indicator, replication, group), NaN where undefined; parts is (group). The
    attrs hold the root's: scenario_a, scenario_b, seed, replications, groups, method
    ("exact" or "sampled"), permutations, combinations, runs, command_line. Raises
    FormatError naming the file and the version found when it is not an attribution of
    format EXPLAIN_FORMAT.
    """
    path = _existing(path)
    attributes, _ = _root_attributes(path)
    found = attributes.get("gpumarket_format")
    if str(found) != EXPLAIN_FORMAT:
        raise FormatError(f"{path}: gpumarket_format is '{found}', but an attribution file "
                          f"has '{EXPLAIN_FORMAT}' (write it with gpumarket explain)")
    ds = xr.open_dataset(path, engine="h5netcdf")
    ds.attrs.update(attributes)
    ds.attrs["source_file"] = str(path)
    return ds
