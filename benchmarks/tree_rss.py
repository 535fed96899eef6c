"""Run a command and report its wall time and peak memory, counting every process it starts.

    python -m benchmarks.tree_rss [--timeline FILE] -- COMMAND ...

Prints one JSON line: {"wall_s", "rc", "peak_rss_mb", "peak_tree_rss_mb"} and exits with the command's code. `peak_rss_mb` is the largest
single process (the kernel's rusage); `peak_tree_rss_mb` is the largest sum over the command and all its
descendants at one moment (sampled from /proc every 0.2 s), which is what a machine must hold when `make run`
has its validator process beside it. `--timeline`: every sample as a line `seconds-since-epoch MB`, which
`step_peaks` matches to a run's steps.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kb(root: int) -> int:
    """The resident memory of `root` and its descendants, in KB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:  # the process ended while we looked
            continue
        # the command name may hold spaces: the fields after it start after the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        pid = int(entry.name)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(statm.split()[1]) * PAGE_KB
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(command: list[str], interval: float = 0.2, timeline: list | None = None) -> dict:
    """Run `command`; with `timeline`, a list, append each sample to it as (seconds since the epoch, KB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=sys.stderr)  # stdout carries only the JSON line
    peak = 0
    while proc.poll() is None:
        sample = tree_rss_kb(proc.pid)
        peak = max(peak, sample)
        if timeline is not None:
            timeline.append((time.time(), sample))
        time.sleep(interval)
    return {
        "wall_s": time.perf_counter() - start,
        "rc": proc.returncode,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "peak_tree_rss_mb": peak / 1024,
    }


def read_timeline(path: Path) -> list[tuple[float, float]]:
    """The samples `--timeline` wrote: (seconds since the epoch, MB)."""
    return [(float(at), float(mb)) for at, mb in (line.split() for line in path.read_text().splitlines())]


def step_peaks(samples: list[tuple[float, float]], windows: dict[str, list[float]]) -> dict[str, float]:
    """The largest sample (MB) in each step's [start, end] window (seconds since the epoch). A step
    shorter than the sampling interval may hold no sample: it gets the larger of the samples just
    before and just after it, what the tree held on either side. A step with neither gets none."""
    samples = sorted(samples)
    peaks: dict[str, float] = {}
    for step, (begin, end) in windows.items():
        inside = [mb for at, mb in samples if begin <= at <= end]
        if not inside:
            before = [mb for at, mb in samples if at < begin][-1:]
            after = [mb for at, mb in samples if at > end][:1]
            inside = before + after
        if inside:
            peaks[step] = round(max(inside))
    return peaks


def main() -> None:
    args = sys.argv[1:]
    command = args[args.index("--") + 1 :] if "--" in args else args
    options = args[: args.index("--")] if "--" in args else []
    timeline: list | None = [] if "--timeline" in options else None
    result = measure(command, timeline=timeline)
    if timeline is not None:
        path = Path(options[options.index("--timeline") + 1])
        path.write_text("".join(f"{at:.2f} {kb / 1024:.1f}\n" for at, kb in timeline))
    print(json.dumps(result))
    sys.exit(result["rc"])


if __name__ == "__main__":
    main()
