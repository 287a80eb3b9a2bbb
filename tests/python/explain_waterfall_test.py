"""scripts/explain_waterfall.py on an explain.h5 the built gpumarket writes.

Usage: explain_waterfall_test.py <gpumarket binary> <source dir>. Draws with matplotlib's Agg
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

from fixtures import write_explain

BINARY, SOURCE = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FILES = {}


def setUpModule():
    FILES["dir"] = tempfile.TemporaryDirectory()
    FILES["explain"], _ = write_explain(BINARY, SOURCE, FILES["dir"].name)


def tearDownModule():
    FILES["dir"].cleanup()


def waterfall(*arguments):
    environment = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(SOURCE / "scripts" / "explain_waterfall.py"),
                           *map(str, arguments)], capture_output=True, text=True, env=environment)


class Waterfall(unittest.TestCase):
    def test_draws_every_indicator_by_default(self):
        out = Path(FILES["dir"].name) / "all.png"
        done = waterfall(FILES["explain"], "-o", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.split(), ["indicator:", "utilisation", "indicator:",
                                               "mean_wait_h"])
        data = out.read_bytes()
        self.assertEqual(data[:8], PNG_MAGIC)
        self.assertGreater(len(data), 10_000)  # axes, bars and labels, not an empty canvas

    def test_draws_the_indicators_asked_for(self):
        out = Path(FILES["dir"].name) / "one.png"
        done = waterfall(FILES["explain"], "-o", out, "--indicator", "mean_wait_h")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.split(), ["indicator:", "mean_wait_h"])
        self.assertEqual(out.read_bytes()[:8], PNG_MAGIC)

    def test_an_unknown_indicator_is_named_with_those_present(self):
        done = waterfall(FILES["explain"], "-o", Path(FILES["dir"].name) / "no.png",
                         "--indicator", "nope")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("--indicator nope", done.stderr)
        self.assertIn("utilisation, mean_wait_h", done.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
