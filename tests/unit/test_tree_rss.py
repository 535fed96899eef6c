"""The bench's memory sampler: a run's samples, and which step held how much."""

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import tree_rss

ROOT = Path(__file__).resolve().parents[2]


def test_each_step_gets_the_largest_sample_taken_while_it_ran() -> None:
    samples = [(100.0, 500.0), (101.0, 900.0), (102.0, 700.0), (103.0, 2000.0), (104.0, 300.0)]
    windows = {"ingest": [100.0, 102.0], "extract": [102.5, 103.5]}
    assert tree_rss.step_peaks(samples, windows) == {"ingest": 900, "extract": 2000}


def test_a_step_between_two_samples_gets_the_larger_neighbour() -> None:
    samples = [(100.0, 500.0), (100.2, 800.0), (100.4, 600.0)]
    # shorter than the sampling interval: no sample inside, the ones either side bound what it held
    assert tree_rss.step_peaks(samples, {"checks": [100.25, 100.3]}) == {"checks": 800}
    # at either end of the samples: the one neighbour there is
    assert tree_rss.step_peaks(samples, {"late": [101.0, 102.0]}) == {"late": 600}
    assert tree_rss.step_peaks([], {"any": [1.0, 2.0]}) == {}


def test_the_timeline_records_a_child_process_memory(tmp_path: Path) -> None:
    timeline = tmp_path / "rss.txt"
    # the command's own child holds 300 MB for a second: the tree's samples see it, the JSON line reports it
    child = "import time; block = bytearray(300 * 2**20); time.sleep(1.0)"
    command = [
        sys.executable,
        "-c",
        f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])",
    ]
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.tree_rss", "--timeline", str(timeline), "--", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    samples = tree_rss.read_timeline(timeline)
    assert len(samples) >= 3
    assert all(b[0] > a[0] for a, b in zip(samples, samples[1:], strict=False))
    assert 300 <= max(mb for _, mb in samples) == round(result["peak_tree_rss_mb"], 1)
    windows = {"whole": [samples[0][0], samples[-1][0]]}
    assert tree_rss.step_peaks(samples, windows)["whole"] >= 300
