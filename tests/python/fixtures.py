"""Files the Python tests read: a short baseline run (and its ensemble) and a small M/M/c
sweep, written by the built gpumarket into a temporary directory."""

import subprocess
from pathlib import Path

RUN_END = "2026-07-01"  # past the baseline's first timeline step (2026-06-15)
SWEEP_HOURS = 100

SWEEP = """\
base:
  extends: {source}/scenarios/mmc.yaml
  horizon: {hours}h
  warmup: 10h
seed: 5
replications: 2
keep_series: true
indicators: [mean_wait_h, utilisation, jobs_completed]
axes:
  - {{name: servers, path: venues.farm.servers, range: {{from: 3, to: 4, step: 1}}}}
  - zip:
      - {{name: price, path: venues.farm.price_usd_per_pf_hour, values: [2.0, 2.5]}}
      - {{name: label, path: description, values: [first, second]}}
"""


def write_run(binary, source, directory, name="baseline.h5", seed=None, end=RUN_END):
    path = Path(directory) / name
    command = [binary, "run", str(Path(source) / "scenarios" / "baseline.yaml"), "-o", str(path),
               "--set", f"end={end}", "-q"]
    if seed is not None:
        command += ["--seed", str(seed)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def write_ensemble(binary, source, directory, name="baseline.ensemble.h5", replications=3,
                   end=RUN_END):
    """`gpumarket run baseline.yaml --replications N`: an ensemble file with bands."""
    path = Path(directory) / name
    subprocess.run([binary, "run", str(Path(source) / "scenarios" / "baseline.yaml"), "--set",
                    f"end={end}", "--replications", str(replications), "--threads", "2", "-o",
                    str(path), "-q"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return path


def write_sweep(binary, source, directory):
    sweep = Path(directory) / "grid.yaml"
    sweep.write_text(SWEEP.format(source=source, hours=SWEEP_HOURS))
    path = Path(directory) / "grid.h5"
    subprocess.run([binary, "sweep", str(sweep), "-o", str(path), "-q", "--threads", "2"],
                   check=True, stdout=subprocess.DEVNULL)
    return path


# Two M/M/c scenarios that differ in two keys of one venue and one of a segment: B has 4
# servers at a higher price (which queueing ignores) and arrivals at 2.0/h instead of 2.4/h.
EXPLAIN_HORIZON = "2000h"


def write_explain(binary, source, directory, *extra, output="a-vs-b.explain"):
    """Runs `gpumarket explain --csv` on the pair into `output` below `directory`; returns
    explain.h5's path and the CSV."""
    mmc = (Path(source) / "scenarios" / "mmc.yaml").read_text()
    a = mmc.replace("horizon: 20000h", f"horizon: {EXPLAIN_HORIZON}")
    b = (a.replace("servers: 3 ", "servers: 4 ")
          .replace("price_usd_per_pf_hour: 2.0", "price_usd_per_pf_hour: 2.5")
          .replace("arrival_rate_per_hour: 2.4", "arrival_rate_per_hour: 2.0"))
    directory = Path(directory)
    (directory / "a.yaml").write_text(a)
    (directory / "b.yaml").write_text(b)
    out = directory / output
    done = subprocess.run([binary, "explain", str(directory / "a.yaml"), str(directory / "b.yaml"),
                           "--replications", "3", "--threads", "2", "-o", str(out), "-q", "--csv",
                           "--only", "utilisation,mean_wait_h", *extra],
                          check=True, capture_output=True, text=True)
    return out / "explain.h5", done.stdout
