"""Communiqué's pipeline: Dagster definitions (`defs`), the code they run (`lib`), and `run` for `make run`."""

import os

# Polars' allocator (jemalloc) hands freed pages back to the kernel after half a second, and the next batch
# of the extraction faults them back in, zeroed: about 4% of normalisation's CPU. Five seconds keep them for
# the next batch, and jemalloc's background thread still returns them once a step is done (purging only on
# allocation, a finished extraction had kept 2 GB through dbt's step). jemalloc reads this when Polars
# loads: importing this package first sets it for this process, and in any case for the processes it
# starts (Polars puts its own defaults first; the last value wins). A setting of your own is kept.
ALLOCATOR = "dirty_decay_ms:5000,muzzy_decay_ms:5000,background_thread:true"
_POLARS_DEFAULT = "dirty_decay_ms:500,muzzy_decay_ms:1000"  # what Polars puts first, on import
if "decay_ms" not in (_conf := os.environ.get("_RJEM_MALLOC_CONF", "")).removeprefix(_POLARS_DEFAULT):
    os.environ["_RJEM_MALLOC_CONF"] = f"{_conf},{ALLOCATOR}" if _conf else ALLOCATOR
