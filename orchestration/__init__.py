"""Communiqué's pipeline: Dagster definitions (`defs`), the code they run (`lib`), and `run` for `make run`."""

import os

# Polars' allocator (jemalloc) hands freed pages back to the kernel after half a second, and the next batch
# of the extraction then faults them back in, zeroed: 9% of normalisation's CPU went to the kernel. Kept
# instead, a process's memory stays at its peak, which is bounded by a batch (every run and step is its own
# process). jemalloc reads this when Polars loads: importing this package first sets it for this process,
# and in any case for the processes it starts (Polars puts its own defaults before it; the last one wins).
KEEP_FREED_PAGES = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
if KEEP_FREED_PAGES not in (_conf := os.environ.get("_RJEM_MALLOC_CONF", "")):
    os.environ["_RJEM_MALLOC_CONF"] = f"{_conf},{KEEP_FREED_PAGES}" if _conf else KEEP_FREED_PAGES
