"""The gpumarket Python package (python/gpumarket) on files the built gpumarket writes.

Usage: package_test.py <gpumarket binary> <source dir>, with PYTHONPATH=<source dir>/python.
Exits 77 (skipped) when Debian's python3-xarray, python3-h5netcdf, python3-h5py or
python3-pandas is missing.
"""

import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings
from pathlib import Path

try:
    import h5py
    import numpy as np
    import pandas as pd
    import xarray as xr
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

import gpumarket as gm
from fixtures import RUN_END, SWEEP_HOURS, write_run, write_sweep

BINARY, SOURCE = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
FILES = {}


def setUpModule():
    FILES["dir"] = tempfile.TemporaryDirectory()
    FILES["run"] = write_run(BINARY, SOURCE, FILES["dir"].name)
    FILES["sweep"] = write_sweep(BINARY, SOURCE, FILES["dir"].name)


def tearDownModule():
    FILES["dir"].cleanup()


class Files(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = FILES["dir"]
        cls.run_path = FILES["run"]
        cls.sweep_path = FILES["sweep"]
        cls.tick = gm.open_run(cls.run_path)
        cls.summary = gm.open_run(cls.run_path, group="summary")

    @classmethod
    def tearDownClass(cls):
        cls.tick.close()
        cls.summary.close()


class OpenRun(Files):
    def test_has_named_dimensions_and_decoded_time(self):
        for dim in ("time", "venue", "segment", "bridge"):
            self.assertIn(dim, self.tick.dims)
        self.assertTrue(np.issubdtype(self.tick.time.dtype, np.datetime64))
        self.assertEqual(self.tick.time.values[-1], np.datetime64(RUN_END))
        self.assertEqual(self.tick.time.values[0], np.datetime64("2026-05-07T01:00"))
        day = gm.open_run(self.run_path, group="day")
        self.assertTrue(np.issubdtype(day.time.dtype, np.datetime64))
        self.assertIn("venue", day.daa.dims)

    def test_a_per_segment_variable_is_not_on_the_venue_dimension(self):
        # Baseline has six venues and six segments: equal lengths, different dimensions.
        self.assertEqual(self.tick.sizes["venue"], self.tick.sizes["segment"])
        self.assertEqual(self.tick.price.dims, ("time", "venue"))
        self.assertEqual(self.tick.priced_out.dims, ("time", "segment"))
        with self.assertRaises(KeyError):
            self.tick.priced_out.sel(venue="golem")
        frame = gm.to_frame(self.tick, variables=["price", "priced_out"])
        axes = frame.groupby("variable", observed=True)["axis"].unique()
        self.assertEqual(list(axes["price"]), ["venue"])
        self.assertEqual(list(axes["priced_out"]), ["segment"])

    def test_attributes_hold_the_provenance_and_the_indicators_dates(self):
        self.assertEqual(self.tick.attrs["gpumarket_format"], gm.RUN_FORMAT)
        self.assertIn(f"--set end={RUN_END}", self.tick.attrs["command_line"])
        steps = gm.timeline(self.tick)
        self.assertEqual([d for d, _ in steps], [pd.Timestamp("2026-06-15")])
        windows = gm.indicator_windows(self.tick)
        self.assertEqual(windows["daa_venue"], "golem")
        self.assertEqual(windows["daa_before"],
                         (pd.Timestamp("2026-06-01"), pd.Timestamp("2026-07-01")))
        self.assertEqual(windows["bridge_split"], pd.Timestamp("2026-09-01"))


class ToFrame(Files):
    def test_is_one_row_per_time_label_and_variable_with_units(self):
        frame = gm.to_frame(self.run_path, variables=["price", "fee_index"])
        hours = self.tick.sizes["time"]
        self.assertEqual(len(frame), hours * self.tick.sizes["venue"] + hours)
        self.assertEqual(list(frame.columns), ["time", "variable", "axis", "label", "value",
                                               "units"])
        self.assertFalse(frame.duplicated(["time", "variable", "label"]).any())
        golem = frame[(frame.variable == "price") & (frame.label == "golem")]
        np.testing.assert_array_equal(golem.value.values,
                                      self.tick.price.sel(venue="golem").values)
        self.assertEqual(set(frame.units), {"USD/(PF*h)"})
        self.assertEqual(set(frame[frame.variable == "fee_index"].label), {""})

    def test_totals_equal_the_summary(self):
        # No warm-up in baseline: the summary's window is the whole run. Counts of jobs are
        # integers, exact in doubles; sums of PF*h differ from the model's only by summation
        # order, within 1e-12 relative.
        frame = gm.to_frame(self.run_path)
        total = frame.groupby("variable", observed=True)["value"].sum()
        self.assertEqual(total["completed"], float(self.summary.jobs_completed))
        self.assertEqual(total["priced_out"], float(self.summary.jobs_priced_out))
        for series, summary in (("bridge_volume_pfh", "bridge_volume_pfh"),
                                ("public_chain_served_pfh", "public_chain_served_pfh")):
            self.assertLess(abs(total[series] - float(self.summary[summary])),
                            1e-12 * abs(float(self.summary[summary])), series)

    def test_reads_the_summary_group_too(self):
        frame = gm.to_frame(self.summary)
        row = frame[frame.variable == "jobs_completed"]
        self.assertEqual(len(row), 1)
        self.assertEqual(row.value.iloc[0], float(self.summary.jobs_completed))
        self.assertEqual(row.units.iloc[0], "jobs")


class OpenSweep(Files):
    def test_xarray_alone_gives_row_and_typed_axis_coordinates(self):
        ds = xr.open_dataset(self.sweep_path, engine="h5netcdf")
        self.assertEqual(dict(ds.sizes), {"row": 8})
        for name in ("servers", "price", "label", "point", "replication", "seed"):
            self.assertIn(name, ds.coords)
            self.assertEqual(ds[name].dims, ("row",))
        self.assertTrue(np.issubdtype(ds.servers.dtype, np.integer))
        self.assertTrue(np.issubdtype(ds.price.dtype, np.floating))
        self.assertEqual(list(ds.label.values[:4]), ["first", "first", "second", "second"])
        self.assertEqual(ds.mean_wait_h.dims, ("row",))
        ds.close()

    def test_axes_and_indicators_carry_units_and_long_names(self):
        ds = gm.open_sweep(self.sweep_path)
        self.assertEqual(gm.sweep_axes(ds), ["servers", "price", "label"])
        self.assertEqual(gm.sweep_indicators(ds), ["mean_wait_h", "utilisation",
                                                   "jobs_completed"])
        self.assertEqual(ds.price.attrs["units_label"], "USD/(PF*h)")
        self.assertEqual(ds.price.attrs["currency"], "USD")
        self.assertEqual(ds.mean_wait_h.attrs["units"], "h")
        self.assertEqual(ds.jobs_completed.attrs["units_label"], "jobs")
        self.assertIn("long_name", ds.utilisation.attrs)
        self.assertEqual(ds.servers.attrs["path"], "venues.farm.servers")
        self.assertEqual(list(ds.servers.values), [3, 3, 3, 3, 4, 4, 4, 4])
        self.assertEqual(list(ds.status.values), ["done"] * 8)
        # The points table groups like any Dataset: more servers, less waiting.
        wait = ds.mean_wait_h.groupby("servers").mean()
        self.assertGreater(float(wait.sel(servers=3)), float(wait.sel(servers=4)))

    def test_kept_series_are_the_rows_runs(self):
        tick = gm.open_sweep(self.sweep_path, group="tick")
        self.assertEqual(tick.served_pfh.dims, ("row", "time", "venue"))
        self.assertEqual(tick.sizes["time"], SWEEP_HOURS)
        self.assertTrue(np.issubdtype(tick.time.dtype, np.datetime64))
        self.assertEqual(tick.time.values[0], np.datetime64("2026-01-01T01:00"))
        self.assertTrue(np.issubdtype(tick.servers.dtype, np.integer))
        # Row 6 (servers 4, price 2.5, replication 0) is the run of its scenario and seed.
        row = tick.sel(row=6)
        run = write_run_of_row(self.dir.name, row)
        for name in ("served_pfh", "queue_length", "utilisation"):
            np.testing.assert_array_equal(row[name].values, run[name].values, name)
        summary = gm.open_sweep(self.sweep_path, group="summary")
        table = gm.open_sweep(self.sweep_path)
        np.testing.assert_array_equal(summary.mean_wait_h.values, table.mean_wait_h.values)


def write_run_of_row(directory, row):
    path = Path(directory) / "row.h5"
    subprocess.run([BINARY, "run", str(SOURCE / "scenarios" / "mmc.yaml"), "-o", str(path), "-q",
                    "--seed", str(int(row.seed)), "--set", f"horizon={SWEEP_HOURS}h",
                    "--set", "warmup=10h", "--set", f"venues.farm.servers={int(row.servers)}",
                    "--set", f"venues.farm.price_usd_per_pf_hour={float(row.price)}",
                    "--set", f"description={row.label.item()}"],
                   check=True, stdout=subprocess.DEVNULL)
    return gm.open_run(path)


class OpenBands(unittest.TestCase):
    """The bands of an ensemble against numpy over the replications' own runs."""

    REPLICATIONS = 3

    @classmethod
    def setUpClass(cls):
        cls.dir = FILES["dir"]
        cls.path = Path(cls.dir.name) / "baseline.ensemble.h5"
        scenario = str(SOURCE / "scenarios" / "baseline.yaml")
        subprocess.run([BINARY, "run", scenario, "--set", f"end={RUN_END}", "--replications",
                        str(cls.REPLICATIONS), "--threads", "2", "-o", str(cls.path), "-q"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seeds = gm.open_sweep(cls.path).seed.values
        # Each replication again, as a run of its own with its seed.
        cls.runs = [write_run(BINARY, SOURCE, cls.dir.name, f"replication-{r}.h5", seed=int(seed))
                    for r, seed in enumerate(seeds)]

    def test_xarray_opens_them_with_quantile_time_and_column_dimensions(self):
        tick = xr.open_dataset(self.path, engine="h5netcdf", group="bands/tick")
        self.assertEqual(tick.price_quantile.dims, ("quantile", "time", "venue"))
        self.assertEqual(tick.price_mean.dims, ("time", "venue"))
        self.assertEqual(list(tick["quantile"].values), [0.05, 0.25, 0.5, 0.75, 0.95])
        self.assertTrue(np.issubdtype(tick.time.dtype, np.datetime64))
        run = gm.open_run(self.runs[0])
        np.testing.assert_array_equal(tick.time.values, run.time.values)
        self.assertEqual(list(tick.venue.values), list(run.venue.values))
        self.assertEqual(tick.price_mean.attrs["units_label"], run.price.attrs["units_label"])
        median = tick.price_quantile.sel(quantile=0.5, venue="golem")
        self.assertEqual(median.shape, run.price.sel(venue="golem").shape)

    def test_mean_quantiles_and_counts_are_numpys_over_the_replications(self):
        compared = 0
        for group in ("tick", "day"):
            bands = gm.open_bands(self.path, group=group)
            self.assertEqual(int(bands.attrs["replications"]), self.REPLICATIONS)
            runs = [gm.open_run(path, group=group) for path in self.runs]
            names = [n[:-len("_mean")] for n in bands.data_vars if n.endswith("_mean")]
            self.assertEqual(sorted(names),
                             sorted(n for n in runs[0].data_vars if "time" in runs[0][n].dims
                                    and n != "time_bnds"))
            q = bands["quantile"].values
            for name in names:
                stack = np.stack([run[name].values for run in runs])  # (replication, time, ...)
                count = np.sum(~np.isnan(stack), axis=0)
                np.testing.assert_array_equal(bands[f"{name}_count"].values, count, err_msg=name)
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells
                    mean = np.nanmean(stack, axis=0)
                    quantile = np.nanquantile(stack, q, axis=0, method="linear")
                scale = np.nanmax(np.abs(stack)) if np.any(count) else 1.0
                tolerance = 1e-12 * max(scale, 1.0)
                np.testing.assert_allclose(bands[f"{name}_mean"].values, mean, rtol=1e-12,
                                           atol=tolerance, equal_nan=True, err_msg=name)
                np.testing.assert_allclose(bands[f"{name}_quantile"].values, quantile,
                                           rtol=1e-12, atol=tolerance, equal_nan=True,
                                           err_msg=name)
                compared += 1
        self.assertGreater(compared, 50)

    def test_a_file_without_bands_is_named(self):
        with self.assertRaises(ValueError) as raised:
            gm.open_bands(FILES["sweep"])
        self.assertIn("no bands of group 'tick'", str(raised.exception))

    def test_file_kind_tells_runs_ensembles_and_sweeps_apart(self):
        self.assertEqual(gm.file_kind(self.runs[0]), "run")
        self.assertEqual(gm.file_kind(self.path), "ensemble")
        self.assertEqual(gm.file_kind(FILES["sweep"]), "sweep")
        other = Path(self.dir.name) / "other.h5"
        with h5py.File(other, "w") as f:
            f.attrs["format"] = "something else"
        with self.assertRaises(gm.FormatError) as raised:
            gm.file_kind(other)
        self.assertIn(str(other), str(raised.exception))


class WrongFormat(Files):
    def copy_with_format(self, name, attribute, value):
        path = Path(self.dir.name) / name
        shutil.copy(self.run_path, path)
        with h5py.File(path, "r+") as f:
            f.attrs[attribute] = value
        return path

    def test_open_run_names_the_file_and_both_versions(self):
        path = self.copy_with_format("old.h5", "gpumarket_format", "1")
        with self.assertRaises(gm.FormatError) as raised:
            gm.open_run(path)
        message = str(raised.exception)
        self.assertIn(str(path), message)
        self.assertIn("'1'", message)
        self.assertIn(f"'{gm.RUN_FORMAT}'", message)

    def test_open_run_on_a_sweep_file_says_to_use_open_sweep(self):
        with self.assertRaises(gm.FormatError) as raised:
            gm.open_run(self.sweep_path)
        self.assertIn(str(self.sweep_path), str(raised.exception))
        self.assertIn("open_sweep", str(raised.exception))

    def test_open_sweep_refuses_a_run_file_and_an_older_sweep(self):
        with self.assertRaises(gm.FormatError) as raised:
            gm.open_sweep(self.run_path)
        self.assertIn("open_run", str(raised.exception))
        path = Path(self.dir.name) / "old_sweep.h5"
        shutil.copy(self.sweep_path, path)
        with h5py.File(path, "r+") as f:
            f.attrs["format"] = "gpumarket-sweep 1"
        with self.assertRaises(gm.FormatError) as raised:
            gm.open_sweep(path)
        self.assertIn("'gpumarket-sweep 1'", str(raised.exception))
        self.assertIn(f"'{gm.SWEEP_FORMAT}'", str(raised.exception))

    def test_a_missing_file_is_named(self):
        with self.assertRaises(FileNotFoundError) as raised:
            gm.open_run(Path(self.dir.name) / "absent.h5")
        self.assertIn("absent.h5", str(raised.exception))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
