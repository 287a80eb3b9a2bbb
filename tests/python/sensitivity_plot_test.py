"""scripts/plot_sensitivity.py on a Sobol sweep and a Morris sweep that the built gpumarket runs.

Usage: sensitivity_plot_test.py <gpumarket binary> <source dir>. Exits 77 (skipped) without
Debian's python3-matplotlib.
"""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

try:
    import matplotlib  # noqa: F401
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

BINARY, SOURCE = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
SCRIPT = str(SOURCE / "scripts" / "plot_sensitivity.py")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RANGES = """    axes:
      - {name: rate, path: segments.jobs.arrival_rate_per_hour, min: 1, max: 2}
      - {name: servers, path: venues.farm.servers, min: 3, max: 5, integer: true}
      - {name: price, path: venues.farm.price_usd_per_pf_hour, min: 1, max: 4}
"""


def sweep(directory, name, head):
    text = (f"base:\n  extends: {SOURCE}/scenarios/mmc.yaml\n  horizon: 200h\n  warmup: 20h\n"
            f"indicators: [mean_wait_h, utilisation]\naxes:\n  - {head}\n{RANGES}")
    spec = Path(directory) / f"{name}.yaml"
    spec.write_text(text)
    result = Path(directory) / f"{name}.h5"
    subprocess.run([BINARY, "sweep", str(spec), "-o", str(result), "-q", "--threads", "2"],
                   check=True)
    return result


class PlotSensitivity(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def expect_png(self, path):
        data = Path(path).read_bytes()
        self.assertTrue(data.startswith(PNG_MAGIC))
        self.assertGreater(len(data), 5000)

    def test_draws_sobol_indices_from_the_csv_and_from_the_result(self):
        result = sweep(self.dir.name, "sobol", "sample: sobol\n    base_samples: 8")
        csv = Path(self.dir.name) / "sobol.csv"
        csv.write_text(subprocess.run([BINARY, "sweep-analyse", str(result), "--csv"], check=True,
                                      capture_output=True, text=True).stdout)
        for source, png in ((csv, "from_csv.png"), (result, "from_h5.png")):
            out = Path(self.dir.name) / png
            subprocess.run([sys.executable, SCRIPT, str(source), "--gpumarket", BINARY, "-o",
                            str(out)], check=True)
            self.expect_png(out)

    def test_draws_morris_measures_of_one_indicator(self):
        result = sweep(self.dir.name, "morris",
                       "sample: morris\n    trajectories: 4\n    levels: 4")
        out = Path(self.dir.name) / "morris.png"
        subprocess.run([sys.executable, SCRIPT, str(result), "--gpumarket", BINARY,
                        "--only", "utilisation", "-o", str(out)], check=True)
        self.expect_png(out)

    def test_names_an_unknown_indicator(self):
        result = sweep(self.dir.name, "sobol", "sample: sobol\n    base_samples: 4")
        run = subprocess.run([sys.executable, SCRIPT, str(result), "--gpumarket", BINARY,
                              "--only", "mean_wiat_h", "-o", "x.png"], capture_output=True,
                             text=True)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("no indicator mean_wiat_h", run.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
