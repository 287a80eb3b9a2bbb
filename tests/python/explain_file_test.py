"""explain.h5 as gpumarket explain writes it, read with h5py, xarray (h5netcdf) and the package.

Usage: explain_file_test.py <gpumarket binary> <source dir>. Exits 77 (skipped) without
Debian's python3-h5py, python3-xarray or python3-h5netcdf.
"""

import csv
import io
import math
import sys
import tempfile
import unittest
from pathlib import Path

try:
    import h5netcdf  # noqa: F401
    import h5py
    import numpy as np
    import xarray as xr
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

import gpumarket as gm
from fixtures import write_explain

BINARY, SOURCE = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
FILES = {}
GROUPS = ["venues.farm.servers", "venues.farm.price_usd_per_pf_hour",
          "segments.jobs.arrival_rate_per_hour"]


def setUpModule():
    FILES["dir"] = tempfile.TemporaryDirectory()
    FILES["exact"], FILES["exact_csv"] = write_explain(BINARY, SOURCE, FILES["dir"].name)
    FILES["exact_bytes"] = FILES["exact"].read_bytes()
    FILES["sampled"], FILES["sampled_csv"] = write_explain(
        BINARY, SOURCE, FILES["dir"].name, "--permutations", "4", output="sampled.explain")


def tearDownModule():
    FILES["dir"].cleanup()


def printed(text):
    """The CSV table: {(indicator, group): (contribution, ci_low, ci_high)}."""
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        rows[(row["indicator"], row["group"])] = tuple(
            float(row[c]) if row[c] else math.nan for c in ("contribution", "ci_low", "ci_high"))
    return rows


class ExactFile(unittest.TestCase):
    def test_xarray_reads_the_dimensions_and_variables(self):
        ds = xr.open_dataset(FILES["exact"], engine="h5netcdf")
        self.assertEqual(dict(ds.sizes), {"indicator": 2, "group": 3, "replication": 3})
        self.assertEqual(list(ds["group"].values), GROUPS)
        self.assertEqual(list(ds["indicator"].values), ["utilisation", "mean_wait_h"])
        self.assertEqual(ds["contribution"].dims, ("indicator", "group"))
        self.assertEqual(ds["shapley"].dims, ("indicator", "replication", "group"))
        self.assertEqual(list(ds["units"].values), ["1", "h"])
        self.assertEqual(list(ds["parts"].values), GROUPS)

    def test_attributes_say_how_it_was_attributed(self):
        with h5py.File(FILES["exact"], "r") as f:
            attrs = dict(f.attrs)
        self.assertEqual(attrs["gpumarket_format"], gm.EXPLAIN_FORMAT)
        self.assertEqual(attrs["method"], "exact")
        self.assertEqual(int(attrs["groups"]), 3)
        self.assertEqual(int(attrs["combinations"]), 8)
        self.assertEqual(int(attrs["runs"]), 24)
        self.assertEqual(int(attrs["permutations"]), 0)
        self.assertEqual(int(attrs["seed"]), 42)
        self.assertTrue(attrs["scenario_b"].endswith("b.yaml"))
        self.assertIn("--replications 3 --seed 42", attrs["command_line"])

    def test_contributions_add_up_to_the_total(self):
        ds = gm.open_explain(FILES["exact"])
        total = ds["total"].values
        np.testing.assert_allclose(ds["contribution"].sum("group").values, total, rtol=1e-9)
        # Per replication too, against that replication's B - A (mean over replications).
        np.testing.assert_allclose(ds["shapley"].sum("group").mean("replication").values, total,
                                   rtol=1e-9)
        np.testing.assert_allclose(ds["b_mean"] - ds["a_mean"], total, rtol=1e-9)
        # The price does not enter a queue: exactly nothing in every replication.
        self.assertTrue((ds["shapley"].sel(group=GROUPS[1]).values == 0).all())

    def test_the_file_holds_what_the_table_prints(self):
        ds = gm.open_explain(FILES["exact"])
        rows = printed(FILES["exact_csv"])
        for indicator in ds["indicator"].values:
            row = ds.sel(indicator=indicator)
            for group in GROUPS:
                expected = rows[(indicator, group)]
                found = tuple(float(row[v].sel(group=group))
                              for v in ("contribution", "ci_low", "ci_high"))
                self.assertEqual(found, expected, (indicator, group))
            self.assertEqual(tuple(float(row[v]) for v in
                                   ("total", "total_ci_low", "total_ci_high")),
                             rows[(indicator, "total")])
            self.assertEqual(float(row["a_mean"]), rows[(indicator, "A")][0])
            self.assertEqual(float(row["b_mean"]), rows[(indicator, "B")][0])

    def test_a_rerun_writes_the_same_bytes(self):
        # It resumes the ensembles and attributes them again.
        path, _ = write_explain(BINARY, SOURCE, FILES["dir"].name)
        self.assertEqual(path.read_bytes(), FILES["exact_bytes"])


class SampledFile(unittest.TestCase):
    def test_sampled_orders_are_recorded_and_still_add_up(self):
        ds = gm.open_explain(FILES["sampled"])
        self.assertEqual(ds.attrs["method"], "sampled")
        self.assertEqual(int(ds.attrs["permutations"]), 4)
        self.assertLessEqual(int(ds.attrs["combinations"]), 4 * (3 - 1) + 2)
        self.assertIn("--permutations 4", ds.attrs["command_line"])
        np.testing.assert_allclose(ds["contribution"].sum("group").values, ds["total"].values,
                                   rtol=1e-9)
        self.assertTrue((ds["permutation_se"].values >= 0).all())

    def test_another_file_is_refused_with_its_format(self):
        with self.assertRaises(gm.FormatError) as raised:
            gm.open_explain(Path(FILES["exact"]).parent / "combination-0.h5")
        self.assertIn("combination-0.h5", str(raised.exception))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
