"""A run file as netCDF-4/CF readers see it: runs a short baseline with the built
gpumarket and opens the file with xarray's h5netcdf engine, as docs/output.md shows.

Usage: netcdf_layout_test.py <gpumarket binary> <source dir>. Exits 77 (skipped) when
Debian's python3-xarray, python3-h5netcdf or python3-pandas is missing.
"""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

try:
    import numpy as np
    import pandas as pd
    import xarray as xr
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

BINARY, SOURCE = sys.argv[1], Path(sys.argv[2])
END = "2026-07-01"  # past the baseline's first timeline step (2026-06-15)


class RunFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = Path(cls.dir.name) / "baseline.h5"
        scenario = SOURCE / "scenarios" / "baseline.yaml"
        subprocess.run([BINARY, "run", str(scenario), "-o", str(cls.path), "--set", f"end={END}"],
                       check=True, stdout=subprocess.DEVNULL)
        cls.root = xr.open_dataset(cls.path, engine="h5netcdf")
        cls.tick = xr.open_dataset(cls.path, engine="h5netcdf", group="tick")
        cls.day = xr.open_dataset(cls.path, engine="h5netcdf", group="day")
        cls.summary = xr.open_dataset(cls.path, engine="h5netcdf", group="summary")
        cls.provenance = xr.open_dataset(cls.path, engine="h5netcdf", group="provenance")

    @classmethod
    def tearDownClass(cls):
        for ds in (cls.root, cls.tick, cls.day, cls.summary, cls.provenance):
            ds.close()
        cls.dir.cleanup()

    def test_root_names_its_conventions_and_format(self):
        self.assertEqual(self.root.attrs["Conventions"], "CF-1.8")
        self.assertEqual(self.root.attrs["gpumarket_format"], "2")

    def test_groups_have_named_dimensions(self):
        for dim in ("time", "venue", "segment", "bridge"):
            self.assertIn(dim, self.tick.dims)
        self.assertIn("time", self.day.dims)
        self.assertIn("venue", self.day.dims)

    def test_time_is_decoded_with_contiguous_bounds(self):
        for ds, step in ((self.tick, np.timedelta64(1, "h")), (self.day, np.timedelta64(1, "D"))):
            self.assertTrue(np.issubdtype(ds.time.dtype, np.datetime64))
            self.assertEqual(ds.time_bnds.dims, ("time", "nv"))
            bounds = ds.time_bnds.values
            np.testing.assert_array_equal(bounds[:, 1], ds.time.values)
            np.testing.assert_array_equal(bounds[1:, 0], bounds[:-1, 1])
            self.assertEqual(bounds[0, 0], np.datetime64("2026-05-07"))
            self.assertEqual(ds.time.values[1] - ds.time.values[0], step)
        self.assertEqual(self.tick.time.values[-1], np.datetime64(END))

    def test_series_have_their_own_column_dimension(self):
        # Baseline has six venues and six segments: equal lengths, different dimensions.
        self.assertEqual(self.tick.sizes["venue"], self.tick.sizes["segment"])
        self.assertEqual(self.tick.price.dims, ("time", "venue"))
        self.assertEqual(self.tick.priced_out.dims, ("time", "segment"))
        self.assertEqual(self.tick.bridge_volume_pfh.dims, ("time", "bridge"))
        self.assertEqual(self.tick.fee_index.dims, ("time",))
        self.assertEqual(self.day.daa.dims, ("time", "venue"))
        self.assertIn("golem", list(self.tick.venue.values))

    def test_series_totals_equal_the_summary(self):
        # No warm-up in baseline: the summary's window is the whole run.
        self.assertEqual(float(self.summary.measured_hours), 24.0 * 55)
        self.assertEqual(float(self.tick.completed.sum()), float(self.summary.jobs_completed))
        self.assertEqual(float(self.tick.priced_out.sum()), float(self.summary.jobs_priced_out))

    def test_every_output_has_cf_units_and_a_long_name(self):
        units = set()
        for ds in (self.tick, self.day, self.summary):
            for name, variable in ds.data_vars.items():
                if name == "time_bnds":
                    continue  # CF §7.1: bounds take their coordinate's units
                self.assertIn("units", variable.attrs, name)
                self.assertIn("units_label", variable.attrs, name)
                self.assertIn("long_name", variable.attrs, name)
                units.add(variable.attrs["units"])
        self.assertEqual(self.tick.price.attrs["units_label"], "USD/(PF*h)")
        self.assertEqual(self.tick.price.attrs["currency"], "USD")
        udunits2 = shutil.which("udunits2")
        if udunits2 is None:
            return  # Debian's udunits-bin checks the spellings when it is installed
        for unit in sorted(units):
            check = subprocess.run([udunits2, "-H", unit, "-W", ""], input="",
                                   capture_output=True, text=True)
            self.assertNotIn("Don't recognize", check.stdout + check.stderr, unit)

    def test_provenance_keeps_the_command_overrides_and_timeline(self):
        attrs = self.provenance.attrs
        self.assertIn(f"--set end={END}", attrs["command_line"])
        self.assertEqual(list(np.atleast_1d(attrs["overrides"])), [f"end={END}"])
        dates = list(np.atleast_1d(attrs["timeline_dates"]))
        labels = list(np.atleast_1d(attrs["timeline_labels"]))
        self.assertEqual(dates, ["2026-06-15"])
        self.assertEqual(len(labels), 1)
        self.assertTrue(labels[0].startswith("2026-06-15"))

    def test_a_series_reads_into_pandas_by_date(self):
        prices = self.tick.price.to_pandas()
        self.assertIsInstance(prices, pd.DataFrame)
        self.assertIsInstance(prices.index, pd.DatetimeIndex)
        self.assertIn("golem", prices.columns)
        self.assertEqual(len(prices.loc["2026-06-01"]), 24)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
