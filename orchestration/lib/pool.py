"""Batches over worker processes, for the parts of a run that are Python rather than Polars or DuckDB
(reading and hashing files): one process per core, results in submission order, a bounded number in
flight so memory follows the batch, not the corpus."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_ENV = "COMMUNIQUE_WORKERS"  # how many worker processes; 1 runs every batch in this process


def worker_count() -> int:
    return max(1, int(os.environ.get(WORKERS_ENV) or len(os.sched_getaffinity(0))))


def ordered_map(fn: Callable[[T], R], items: Iterable[T], *, workers: int | None = None) -> Iterator[R]:
    """`fn(item)` for each item, yielded in order. With more than one item and more than one worker the
    calls run in spawned processes (`fn` and the items must pickle), at most `workers + 1` at a time, so
    the caller consumes one result while the workers produce the next."""
    batch = list(items)
    workers = min(workers or worker_count(), len(batch))
    if workers <= 1:
        yield from map(fn, batch)
        return
    context = multiprocessing.get_context("spawn")  # Polars' and DuckDB's threads do not survive fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
        in_flight: deque[Future[R]] = deque()
        for item in batch:
            in_flight.append(executor.submit(fn, item))
            if len(in_flight) > workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
