"""Files the Python tests read: a short baseline run and a small M/M/c sweep, written by the
built gpumarket into a temporary directory."""

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


def write_sweep(binary, source, directory):
    sweep = Path(directory) / "grid.yaml"
    sweep.write_text(SWEEP.format(source=source, hours=SWEEP_HOURS))
    path = Path(directory) / "grid.h5"
    subprocess.run([binary, "sweep", str(sweep), "-o", str(path), "-q", "--threads", "2"],
                   check=True, stdout=subprocess.DEVNULL)
    return path
