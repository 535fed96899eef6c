"""Run a command and report its wall time and peak memory, counting every process it starts.

    python -m benchmarks.tree_rss -- COMMAND ...

Prints one JSON line: {"wall_s", "rc", "peak_rss_mb", "peak_tree_rss_mb"} and exits with the command's code. `peak_rss_mb` is the largest
single process (the kernel's rusage); `peak_tree_rss_mb` is the largest sum over the command and all its
descendants at one moment (sampled from /proc every 0.2 s), which is what a machine must hold when `make run`
has its validator process beside it.
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


def measure(command: list[str], interval: float = 0.2) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=sys.stderr)  # stdout carries only the JSON line
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(interval)
    return {
        "wall_s": time.perf_counter() - start,
        "rc": proc.returncode,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "peak_tree_rss_mb": peak / 1024,
    }


def main() -> None:
    args = sys.argv[1:]
    command = args[args.index("--") + 1 :] if "--" in args else args
    result = measure(command)
    print(json.dumps(result))
    sys.exit(result["rc"])


if __name__ == "__main__":
    main()
