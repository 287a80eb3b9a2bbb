"""scripts/dashboard.py and scripts/plot_sweep.py on files the built gpumarket writes.

Usage: dashboard_test.py <gpumarket binary> <source dir>. Draws with matplotlib's Agg
backend; exits 77 (skipped) without Debian's python3-matplotlib, python3-xarray or
python3-h5netcdf.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

try:
    import h5netcdf  # noqa: F401
    import matplotlib  # noqa: F401
    import xarray  # noqa: F401
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

from fixtures import write_run, write_sweep

BINARY, SOURCE = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FILES = {}


def setUpModule():
    FILES["dir"] = tempfile.TemporaryDirectory()
    directory = FILES["dir"].name
    FILES["runs"] = [write_run(BINARY, SOURCE, directory, f"seed{s}.h5", seed=s) for s in (1, 2)]
    FILES["sweep"] = write_sweep(BINARY, SOURCE, directory)


def tearDownModule():
    FILES["dir"].cleanup()


def script(name, *arguments):
    environment = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(SOURCE / "scripts" / name), *map(str, arguments)],
                          capture_output=True, text=True, env=environment)


class Dashboard(unittest.TestCase):
    def test_draws_the_panels_asked_for(self):
        out = Path(FILES["dir"].name) / "dashboard.png"
        done = script("dashboard.py", out, FILES["runs"][0], "--panels",
                      "prices,daa,bridges,fees")
        self.assertEqual(done.returncode, 0, done.stderr)
        drawn = [line.removeprefix("panel: ") for line in done.stdout.splitlines()
                 if line.startswith("panel: ")]
        self.assertEqual(drawn, ["Prices", "Daily active addresses", "Bridge volume (daily sum)",
                                 "Fee and price indices"])
        self.assertEqual(out.read_bytes()[:8], PNG_MAGIC)

    def test_two_seeds_of_one_scenario_are_replications(self):
        out = Path(FILES["dir"].name) / "replications.png"
        done = script("dashboard.py", out, *FILES["runs"], "--panels", "prices,headline")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("case: baseline end=2026-07-01: 2 replications (mean, 5-95 % band)",
                      done.stdout)
        self.assertIn("panel: Headline indicators", done.stdout)
        self.assertEqual(out.read_bytes()[:8], PNG_MAGIC)

    def test_an_unknown_panel_is_a_usage_error(self):
        done = script("dashboard.py", Path(FILES["dir"].name) / "x.png", FILES["runs"][0],
                      "--panels", "prices,prise")
        self.assertEqual(done.returncode, 2)
        self.assertIn("unknown panel(s) prise", done.stderr)

    def test_a_sweep_file_is_refused_with_its_name(self):
        done = script("dashboard.py", Path(FILES["dir"].name) / "x.png", FILES["sweep"])
        self.assertEqual(done.returncode, 1)
        self.assertIn(str(FILES["sweep"]), done.stderr)
        self.assertIn("open_sweep", done.stderr)


class PlotSweep(unittest.TestCase):
    def test_draws_lines_and_a_heat_map(self):
        for extra, name in ((["--by", "servers"], "lines.png"), (["--y", "servers"], "map.png")):
            out = Path(FILES["dir"].name) / name
            done = script("plot_sweep.py", FILES["sweep"], "mean_wait_h", "--x", "price", *extra,
                          "-o", out)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(out.read_bytes()[:8], PNG_MAGIC)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
