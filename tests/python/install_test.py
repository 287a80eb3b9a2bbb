"""The package installs with pip into a target directory and imports from there.

Usage: install_test.py <source dir>. Copies python/ to a temporary directory first, so that
the build leaves nothing in the source tree; installs with Debian's pip and setuptools
(`pip install --no-build-isolation --no-deps --target TMPDIR`: no network) and imports the
package in a fresh interpreter whose only extra path is the target. Exits 77 (skipped)
without pip or setuptools.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

# Looked up, not imported: pip imports distutils, after which setuptools refuses to load.
missing = [m for m in ("pip", "setuptools") if importlib.util.find_spec(m) is None]
if missing:
    print(f"skipped: no {', '.join(missing)}")
    sys.exit(77)

SOURCE = Path(sys.argv[1]).resolve()


class PipInstall(unittest.TestCase):
    def test_installs_into_a_target_and_imports_from_there(self):
        with tempfile.TemporaryDirectory() as scratch:
            project = Path(scratch) / "python"
            shutil.copytree(SOURCE / "python", project)
            target = Path(scratch) / "target"
            subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                            "--no-deps", "--no-index", "--quiet", "--root-user-action", "ignore",
                            "--disable-pip-version-check", "--target", str(target),
                            str(project)], check=True, cwd=scratch)
            self.assertTrue((target / "gpumarket" / "__init__.py").is_file())
            environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            environment["PYTHONPATH"] = str(target)
            imported = subprocess.run(
                [sys.executable, "-c",
                 "import gpumarket; print(gpumarket.__file__); print(gpumarket.SWEEP_FORMAT)"],
                check=True, capture_output=True, text=True, cwd=scratch, env=environment)
            where, version = imported.stdout.splitlines()
            self.assertTrue(Path(where).resolve().is_relative_to(target.resolve()), where)
            self.assertEqual(version, "gpumarket-sweep 2")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
