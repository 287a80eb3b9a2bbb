"""`gpumarket sweep-analyse RESULT.h5 -o ANALYSIS.h5` read back with xarray (h5netcdf) and
compared with the CSV that the same command prints; the plot script draws from the file.

Usage: sensitivity_file_test.py <gpumarket binary> <source dir>. Exits 77 (skipped) without
Debian's python3-xarray, python3-h5netcdf or python3-matplotlib.
"""

import csv
import io
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

try:
    import h5netcdf  # noqa: F401
    import matplotlib  # noqa: F401
    import xarray as xr
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

from sensitivity_plot_test import sweep

BINARY, SOURCE = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
SCRIPT = str(SOURCE / "scripts" / "plot_sensitivity.py")
FILES = {}
MEASURES = {"morris": ("mu_star", "mu", "sigma"), "sobol": ("S1", "ST")}


def setUpModule():
    FILES["dir"] = tempfile.TemporaryDirectory()
    directory = FILES["dir"].name
    FILES["morris"] = sweep(directory, "morris",
                            "sample: morris\n    trajectories: 6\n    levels: 4\n"
                            "    candidates: 20")
    FILES["sobol"] = sweep(directory, "sobol", "sample: sobol\n    base_samples: 8")


def tearDownModule():
    FILES["dir"].cleanup()


def analyse(result, output, *extra):
    """Writes the analysis file; returns the CSV printed with it: {(indicator, input,
    measure): (value, low, high)}."""
    text = subprocess.run([BINARY, "sweep-analyse", str(result), "-o", str(output), "--csv",
                           *extra], check=True, capture_output=True, text=True).stdout
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        rows[(row["indicator"], row["parameter"], row["measure"])] = tuple(
            float(row[c]) if row[c] else math.nan for c in ("value", "ci_low", "ci_high"))
    return rows


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


class AnalysisFile(unittest.TestCase):
    def check_design(self, design):
        out = Path(FILES["dir"].name) / f"{design}.analysis.h5"
        printed = analyse(FILES[design], out)
        ds = xr.open_dataset(out, engine="h5netcdf")
        self.assertEqual(ds.attrs["gpumarket_format"], "gpumarket-sensitivity 1")
        self.assertEqual(ds.attrs["design"], design)
        self.assertEqual(int(ds.attrs["bootstrap"]), 1000 if design == "morris" else 500)
        self.assertEqual(dict(ds.sizes), {"indicator": 2, "input": 3, "bound": 2})
        self.assertEqual(list(ds["indicator"].values), ["mean_wait_h", "utilisation"])
        self.assertEqual(list(ds["input"].values), ["rate", "servers", "price"])
        self.assertEqual(list(ds["bound"].values), ["low", "high"])
        for measure in MEASURES[design]:
            self.assertEqual(ds[measure].dims, ("indicator", "input"))
            self.assertEqual(ds[f"{measure}_ci"].dims, ("indicator", "input", "bound"))
            for indicator in ds["indicator"].values:
                for name in ds["input"].values:
                    value, low, high = printed[(indicator, name, measure)]
                    at = ds.sel(indicator=indicator, input=name)
                    self.assertTrue(same(float(at[measure]), value), (measure, indicator, name))
                    self.assertTrue(same(float(at[f"{measure}_ci"].sel(bound="low")), low))
                    self.assertTrue(same(float(at[f"{measure}_ci"].sel(bound="high")), high))
        for indicator in ds["indicator"].values:
            share = printed[(indicator, "", "noise_share")][0]
            self.assertTrue(same(float(ds["noise_share"].sel(indicator=indicator)), share))
        # The price does not enter the queue: its measures and their intervals are 0.
        first = MEASURES[design][0]
        self.assertEqual(float(ds[first].sel(indicator="utilisation", input="price")), 0)
        self.assertEqual(list(ds[f"{first}_ci"].sel(indicator="utilisation", input="price")
                              .values), [0, 0])
        return out, ds

    def test_a_morris_analysis_with_its_intervals(self):
        out, ds = self.check_design("morris")
        self.assertEqual(ds["effects"].dims, ("indicator", "input"))
        self.assertEqual(int(ds["effects"].sel(indicator="utilisation", input="rate")), 6)
        low, high = ds["mu_star_ci"].sel(indicator="utilisation", input="rate").values
        self.assertLess(low, high)
        ds.close()
        # The same analysis, the same bytes.
        again = Path(FILES["dir"].name) / "again.h5"
        analyse(FILES["morris"], again)
        self.assertEqual(out.read_bytes(), again.read_bytes())

    def test_a_sobol_analysis_with_its_variance(self):
        _, ds = self.check_design("sobol")
        self.assertEqual(int(ds["base_rows"].sel(indicator="utilisation", input="rate")), 8)
        self.assertGreater(float(ds["variance"].sel(indicator="utilisation")), 0)
        ds.close()

    def test_the_plot_script_draws_from_the_analysis_file(self):
        out = Path(FILES["dir"].name) / "plotted.analysis.h5"
        analyse(FILES["morris"], out, "--only", "utilisation")
        png = Path(FILES["dir"].name) / "from_analysis.png"
        subprocess.run([sys.executable, SCRIPT, str(out), "-o", str(png)], check=True,
                       capture_output=True)
        self.assertTrue(png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"))

    def test_a_missing_directory_is_named(self):
        missing = Path(FILES["dir"].name) / "no-such-dir" / "a.h5"
        run = subprocess.run([BINARY, "sweep-analyse", str(FILES["sobol"]), "-o", str(missing)],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertIn(f"{missing}: cannot write the sensitivity analysis: cannot create "
                      f"'{missing}.partial'", run.stderr)
        self.assertFalse(missing.parent.exists())


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
