"""scripts/dashboard.py and scripts/plot_sweep.py on files the built gpumarket writes: runs,
an ensemble (its bands drawn are the file's quantiles) and a sweep.

Usage: dashboard_test.py <gpumarket binary> <source dir>. Draws with matplotlib's Agg
backend; exits 77 (skipped) without Debian's python3-matplotlib, python3-xarray or
python3-h5netcdf.
"""

import importlib.util
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

import numpy as np  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

import gpumarket as gm  # noqa: E402
from fixtures import write_ensemble, write_run, write_sweep  # noqa: E402

BINARY, SOURCE = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FILES = {}


def setUpModule():
    FILES["dir"] = tempfile.TemporaryDirectory()
    directory = FILES["dir"].name
    FILES["runs"] = [write_run(BINARY, SOURCE, directory, f"seed{s}.h5", seed=s) for s in (1, 2)]
    FILES["sweep"] = write_sweep(BINARY, SOURCE, directory)
    FILES["ensemble"] = write_ensemble(BINARY, SOURCE, directory, replications=3)


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

    def test_a_sweep_file_of_several_points_is_refused_with_its_name(self):
        done = script("dashboard.py", Path(FILES["dir"].name) / "x.png", FILES["sweep"])
        self.assertEqual(done.returncode, 1)
        self.assertIn(str(FILES["sweep"]), done.stderr)
        self.assertIn("is a sweep result of 4 points without ensemble bands", done.stderr)
        self.assertIn("plot_sweep.py", done.stderr)
        self.assertIn("open_sweep", done.stderr)
        self.assertFalse((Path(FILES["dir"].name) / "x.png").exists())


def dashboard_module():
    """scripts/dashboard.py imported, to look at the artists it draws."""
    spec = importlib.util.spec_from_file_location("dashboard", SOURCE / "scripts" / "dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def band_of(collection):
    """(x, low, high) of a fill_between's polygon: its first vertex is (x0, high0), then the
    low edge forwards, (xn, highn), the high edge backwards and the closing vertex."""
    self_paths = collection.get_paths()
    assert len(self_paths) == 1, "a band without NaN is one polygon"
    vertices = self_paths[0].vertices
    n = (len(vertices) - 3) // 2
    low = vertices[1:n + 1]
    high = vertices[n + 2:2 * n + 2][::-1]
    np.testing.assert_array_equal(low[:, 0], high[:, 0])
    return low[:, 0], low[:, 1], high[:, 1]


class Ensembles(unittest.TestCase):
    LABEL = "baseline end=2026-07-01"

    @classmethod
    def setUpClass(cls):
        cls.dashboard = dashboard_module()
        # Opened once: reading a file's hundreds of variables takes about a second.
        cls.sources = {p: cls.dashboard.open_source(p) for p in (FILES["ensemble"],
                                                                 FILES["runs"][0])}

    def artists(self, ax, kind):
        return {a.get_gid(): a for a in (ax.collections if kind == "band" else ax.lines)
                if a.get_gid() and (kind != "band" or isinstance(a, PolyCollection))}

    def figure(self, paths, panels, quartiles=False):
        sources = [self.sources[p] for p in paths]
        ctx = self.dashboard.Context(self.dashboard.cases_of(sources), quartiles=quartiles)
        fig, drawn = self.dashboard.figure(ctx, panels)
        self.addCleanup(self.dashboard.plt.close, fig)
        return {name: ax for name, _, ax in drawn}

    def assert_drawn_band_is_the_files(self, ax, group, series, venue, quartiles):
        bands = gm.open_bands(FILES["ensemble"], group)
        quantile = bands[f"{series}_quantile"].sel(venue=venue)
        time = bands.time.values
        lines, fills = self.artists(ax, "line"), self.artists(ax, "band")
        key = f"{self.LABEL}|{series}|{venue}|"
        median = lines[key + "median"]
        np.testing.assert_array_equal(median.get_xdata(), time)
        np.testing.assert_array_equal(median.get_ydata(), quantile.sel(quantile=0.5).values)
        for name, (low, high) in [("5-95", (0.05, 0.95))] + \
                ([("25-75", (0.25, 0.75))] if quartiles else []):
            x, drawn_low, drawn_high = band_of(fills[key + name])
            np.testing.assert_allclose(x, self.dashboard.mdates.date2num(time))
            np.testing.assert_array_equal(drawn_low, quantile.sel(quantile=low).values)
            np.testing.assert_array_equal(drawn_high, quantile.sel(quantile=high).values)
        if not quartiles:
            self.assertNotIn(key + "25-75", fills)

    def test_an_ensemble_draws_a_png_saying_what_its_bands_are(self):
        out = Path(FILES["dir"].name) / "ensemble.png"
        done = script("dashboard.py", out, FILES["ensemble"], "--quartiles", "--panels",
                      "daa,headline")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"case: {self.LABEL}: ensemble: median, 5-95 %, darker 25-75 % over 3 "
                      "replications", done.stdout)
        self.assertIn("panel: Headline indicators", done.stdout)
        self.assertEqual(out.read_bytes()[:8], PNG_MAGIC)

    def test_the_bands_drawn_are_the_files_quantiles(self):
        axes = self.figure([FILES["ensemble"]], ["prices", "daa"], quartiles=True)
        # Prices of a run under 60 days are hourly: the tick group's quantiles as they are.
        self.assert_drawn_band_is_the_files(axes["prices"], "tick", "price", "golem", True)
        # DAA is a daily series: the day group's quantiles.
        self.assert_drawn_band_is_the_files(axes["daa"], "day", "daa", "golem", True)
        texts = [t.get_text() for t in axes["prices"].texts]
        self.assertIn("ensembles: hourly quantiles", texts)
        self.assertFalse(any(t.startswith("ensembles:") for t in
                             (t.get_text() for t in axes["daa"].texts)))

    def test_daily_panels_average_hourly_quantiles_and_sums_have_no_band(self):
        axes = self.figure([FILES["ensemble"]], ["fees", "bridges", "headline"])
        bands = gm.open_bands(FILES["ensemble"], "tick")
        fee = bands.fee_index_quantile.sel(quantile=0.5).to_series()
        # Each tick counted in the day its hour starts (time is the hour's end).
        by_day = fee.groupby((fee.index - np.timedelta64(1, "h")).floor("D")).mean()
        median = self.artists(axes["fees"], "line")[f"{self.LABEL}|fee_index||median"]
        np.testing.assert_allclose(median.get_ydata(), by_day.values)
        self.assertIn("ensembles: daily means of hourly quantiles (not quantiles of daily means)",
                      [t.get_text() for t in axes["fees"].texts])
        # Bridge volume is a daily sum: the mean of the replications' daily sums, no band.
        volume = bands.bridge_volume_pfh_mean.sel(bridge="icb_v1").to_series()
        daily_sum = volume.groupby((volume.index - np.timedelta64(1, "h")).floor("D")).sum()
        bridges = self.artists(axes["bridges"], "line")
        key = f"{self.LABEL}|bridge_volume_pfh|icb_v1|"
        np.testing.assert_allclose(bridges[key + "mean"].get_ydata(), daily_sum.values)
        self.assertNotIn(key + "median", bridges)
        self.assertFalse(self.artists(axes["bridges"], "band"))
        # The headline table: the mean over the points table's replications, saying so.
        table = axes["headline"].tables[0]
        cells = {(r, c): cell.get_text().get_text() for (r, c), cell in table.get_celld().items()}
        self.assertEqual(cells[(0, 1)], f"{self.LABEL} (ensemble of 3: mean [5-95 %])")
        self.assertIn("points table", axes["headline"].get_title(loc="right"))
        row = next(r for (r, c), text in cells.items() if c == 0 and text == "state_share")
        state_share = gm.open_sweep(FILES["ensemble"]).state_share.values
        self.assertTrue(cells[(row, 1)].startswith(f"{state_share.mean():.4g} ["))

    def test_a_run_and_an_ensemble_draw_together(self):
        out = Path(FILES["dir"].name) / "mixed.png"
        axes = self.figure([FILES["runs"][0], FILES["ensemble"]], list(self.dashboard.PANELS))
        next(iter(axes.values())).figure.savefig(out, dpi=50)
        self.assertEqual(out.read_bytes()[:8], PNG_MAGIC)
        header = [cell.get_text().get_text() for (r, _), cell in
                  axes["headline"].tables[0].get_celld().items() if r == 0]
        self.assertIn(self.LABEL, header)  # the run's column
        self.assertTrue(any("ensemble of 3" in h for h in header))
        lines = self.artists(axes["prices"], "line")
        key = f"{self.LABEL}|price|golem|"
        self.assertIn(key + "mean", lines)    # the run
        self.assertIn(key + "median", lines)  # the ensemble
        self.assertEqual(lines[key + "mean"].get_linestyle(), "-")
        self.assertEqual(lines[key + "median"].get_linestyle(), "--")


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
