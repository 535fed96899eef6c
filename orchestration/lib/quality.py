"""Great Expectations at the warehouse boundary: suites from expectations/*.json, validated in chunks.

Each guarded table is read through a SQL query that adds derived columns computed inside DuckDB
(`doc_exists`, ...), and mention tables get `span_holds` from their bodies in Polars, so GX's plain
pandas expectations check spans and references too.
Tables are validated in doc_id ranges of at most CHUNK_ROWS rows (and, for mention tables, whose
chunks carry their documents' bodies, at most CHUNK_DOCUMENTS documents): memory stays bounded by the
chunk, not the table. Value sets written as "$countries", "$themes", "$currencies" are filled from the
same lookups the extractors use.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import importlib
import importlib.metadata
import itertools
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import pycountry

from orchestration.lib.lookups import Lookups
from orchestration.lib.paths import EXPECTATIONS, ROOT
from orchestration.lib.pool import worker_count
from orchestration.lib.warehouse import VALIDATION_LOG

CHUNK_ROWS = 1_000_000
# a mention table's chunk also holds its documents' bodies (for span_holds, outside DuckDB's memory limit):
# at most this many documents a chunk, about 135 MB of text. By rows alone, the 2.2M number mentions of a
# million documents made 3 chunks of 330,000 documents each, and a validator held 3.2 GB.
CHUNK_DOCUMENTS = 50_000
VALIDATOR_MEMORY = "1GB"  # per validator process; a run may have two
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SAMPLE = 10

# What each suite validates. Row-level expectations look at the rows of the latest batch only (the
# documents the last run ingested or extracted), so a check's cost follows the new data, not the
# warehouse; whole-table invariants that DuckDB computes cheaply (orphans, duplicate keys) are computed
# once per validation and ride along as constant columns, so damage anywhere in the table still fails
# the check. `{chunk}` is a predicate on doc_id that every side of a join filters on, so a chunk joins
# only its own documents' bodies.
# rows of the newest batch, in processed_documents or in a fact table (a fact row carries its document's
# batch: in a fact table the newest batch's rows are the last row groups, which the range finds by zone
# maps, and the semi-join on the newest batch's documents then reads those alone)
_NEWEST_ROWS = "batch_id = (select max(batch_id) from normalised.processed_documents)"
LATEST_BATCH = f"""(select doc_id from normalised.processed_documents
    where {_NEWEST_ROWS} and {{chunk}})"""
# the publication months of the newest batch's documents: the months the monthly marts were rebuilt in
NEWEST_MONTHS = f"""(select distinct cast(date_trunc('month', nd.published_date) as date) from normalised.documents as nd
    where nd.doc_id in (select doc_id from normalised.processed_documents
        where {_NEWEST_ROWS}))"""
_ORPHANS = "select count(*) from normalised.{table} anti join normalised.documents using (doc_id)"
# when the newest batch's documents were first ingested: a constant bound on ingested_at lets the document
# side of a join skip, by zone maps, the row groups of older documents (their bodies are gigabytes at
# scale); the semi-join on the newest batch alone reads every body. A re-extraction's bound is the oldest.
_LATEST_SINCE = (
    f"select min(ingested_at) from normalised.documents where doc_id in {LATEST_BATCH.format(chunk='true')}"
)
_MENTION = """
    select m.*, d.doc_id is not null as doc_exists, d.published_date{extra},
           {{orphans_in_table}} as orphans_in_table
    from (select * from normalised.{table} where {{chunk}} and {newest} and doc_id in {latest}) as m
    left join (select doc_id, published_date from normalised.documents
               where ingested_at >= {{latest_since}} and {{chunk}} and doc_id in {latest}) as d
        using (doc_id)"""
# A mention's `span_holds` (body[start_char:end_char] == surface) is computed in Polars beside the query,
# from these bodies: DuckDB's substring walks a body's UTF-8 from its start for every mention (5.2 s of two
# cores for 2.9M entity mentions at 100,000 documents) where Polars slices the same rows in 0.9 s.
# `span_documents` is the chunk's documents, registered from the query's result.
_BODIES = """select doc_id, body from normalised.documents
    where ingested_at >= {latest_since} and doc_id in (select doc_id from span_documents)"""
SPAN = "span_holds"
SPAN_INPUTS = ("doc_id", "start_char", "end_char", "surface")


@dataclass(frozen=True)
class Guard:
    """What suite `name` validates: `query` (with `{chunk}` and the invariants' names as placeholders)
    and `invariants`, scalar queries computed once per validation (over the whole table, or a bound
    such as `latest_since`). Suites of doc_id-keyed tables are
    validated in chunks of documents; the marts' in one piece."""

    query: str
    invariants: dict[str, str] = field(default_factory=dict)
    chunked: bool = True
    spans: bool = False  # a mention table: its rows get `span_holds` (see _BODIES)

    def sql(self, constants: dict[str, object], chunk: str = "true") -> str:
        return self.query.format(chunk=chunk, **constants)


def _mention(table: str, extra: str = "") -> Guard:
    return Guard(
        _MENTION.format(table=table, extra=extra, latest=LATEST_BATCH, newest=_NEWEST_ROWS),
        {"orphans_in_table": _ORPHANS.format(table=table), "latest_since": _LATEST_SINCE},
        spans=True,
    )


GUARDS = {
    "documents": Guard(
        """
        -- the body itself stays in DuckDB (it is most of the table's bytes): the suite sees its length
        select d.* exclude (body), length(d.body) as body_chars, cast(d.published_date as timestamp) as published_at,
               regexp_full_match(d.doc_id, '[0-9a-f]{{16}}') as doc_id_well_formed,
               f.file_name is not null as in_file_ledger,
               {duplicate_ids_in_table} as duplicate_ids_in_table
        from (select * from normalised.documents
              where {chunk} and ingested_at = (select max(ingested_at) from normalised.documents)) as d
        left join (select distinct doc_id, file_name from normalised.files where status = 'loaded' and {chunk}) as f
            using (doc_id, file_name)""",
        {"duplicate_ids_in_table": "select count(*) - count(distinct doc_id) from normalised.documents"},
    ),
    "quarantine": Guard("select * from normalised.quarantine", chunked=False),
    "sentences": Guard(
        f"""
        select s.*, d.doc_id is not null as doc_exists, s.end_char <= d.n_chars as within_body,
               {{orphans_in_table}} as orphans_in_table
        from (select * from normalised.sentences where {{chunk}} and {_NEWEST_ROWS} and doc_id in {LATEST_BATCH}) as s
        left join (select doc_id, n_chars from normalised.documents
                   where ingested_at >= {{latest_since}} and {{chunk}} and doc_id in {LATEST_BATCH}) as d
            using (doc_id)""",
        {"orphans_in_table": _ORPHANS.format(table="sentences"), "latest_since": _LATEST_SINCE},
    ),
    "entity_mentions": _mention("entity_mentions"),
    "theme_mentions": _mention("theme_mentions"),
    "metric_mentions": _mention("metric_mentions"),
    "date_mentions": _mention(
        "date_mentions",
        ",\n           (m.role <> 'deadline' or m.date_end > d.published_date) as deadline_after_publication",
    ),
    # reconciliation: each mart row equals the roll-up of the facts it summarises, in the months the newest
    # batch touched (the only months a run rewrites); that no observation is lost is checked whole
    "mart_theme_monthly": Guard(
        f"""
        select m.*, coalesce(m.documents = f.documents and m.mentions = f.mentions, false) as reconciles_with_facts
        from marts.mart_theme_monthly as m
        left join (select published_month as month, top_theme_id, count(distinct doc_id) as documents,
                          count(*) as mentions
                   from marts.fct_theme_mentions where published_month in {NEWEST_MONTHS} group by all) as f
            on m.month = f.month and m.top_theme_id = f.top_theme_id
        where m.month in {NEWEST_MONTHS}""",
        chunked=False,
    ),
    "mart_metric_monthly": Guard(
        f"""
        select m.*,
               coalesce(m.observations = f.observations
                        and abs(m.total_value - f.total_value) <= 1e-9 * greatest(1, abs(f.total_value)), false)
                   as reconciles_with_facts,
               {{observations_lost}} as observations_lost
        from marts.mart_metric_monthly as m
        left join (select published_month as month, top_theme_id, metric_type, unit, count(*) as observations,
                          sum(value) as total_value
                   from marts.fct_metric_observations where published_month in {NEWEST_MONTHS} group by all) as f
            on m.month = f.month and m.top_theme_id is not distinct from f.top_theme_id
               and m.metric_type = f.metric_type and m.unit = f.unit
        where m.month in {NEWEST_MONTHS}""",
        {
            "observations_lost": """select (select count(*) from marts.fct_metric_observations)
                - (select coalesce(sum(observations), 0) from marts.mart_metric_monthly)"""
        },
        chunked=False,
    ),
}


def guard_frame(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    chunk: str = "true",
    columns: list[str] | None = None,
    constants: dict[str, str] | None = None,
    sample: int | None = None,
):
    """The pandas frame suite `name` validates: its guard's query (with the whole-table invariants
    `constants`, computed now when not given) on the documents of `chunk`, plus `span_holds` for a
    mention table; only `columns` when given, at most `sample` random rows when given."""
    guard = GUARDS[name]
    constants = _constants(con, guard) if constants is None else constants
    query = guard.sql(constants, chunk)
    if sample is not None:
        query = f"select * from ({query}) using sample {int(sample)} rows"
    spans = guard.spans and (columns is None or SPAN in columns)
    wanted = columns
    if columns is not None and spans:  # span_holds is not in the query: its inputs are
        wanted = [c for c in columns if c != SPAN] + [c for c in SPAN_INPUTS if c not in columns]
    selected = "*" if wanted is None else ", ".join(f'"{c}"' for c in wanted)
    table = con.sql(f"select {selected} from ({query})").to_arrow_table()
    if spans:
        table = _with_span_holds(con, table, constants)
    if columns is not None:
        table = table.select(columns)
    # through Arrow: half the cost of DuckDB's own pandas export
    frame = table.to_pandas(date_as_object=False)
    return frame.astype(_vectorisable(frame.dtypes))


def _with_span_holds(con: duckdb.DuckDBPyConnection, table, constants: dict[str, str]):
    """`table` (an Arrow table of mentions) with `span_holds`: whether the mention's document's body, sliced
    at [start_char, end_char) in characters, is its surface; null when the document is missing (the
    guard's doc_exists says so), false for a span that runs backwards, off the body or before it, or
    whose length is not the surface's."""
    # only the span's columns go through Polars; the boolean is appended to the query's own table
    mentions = pl.from_arrow(table.select(list(SPAN_INPUTS)))
    con.register("span_documents", mentions.select("doc_id").unique().to_arrow())
    try:
        # one body per document, so the join keeps the mentions' rows one for one (a duplicated id is the
        # documents suite's to report)
        bodies = pl.from_arrow(con.sql(_BODIES.format(**constants)).to_arrow_table()).unique("doc_id")
    finally:
        con.unregister("span_documents")
    start, end = pl.col("start_char"), pl.col("end_char")
    # clipped, as every row's slice is computed (a negative length does not convert to one)
    sliced = pl.col("body").str.slice(start.clip(lower_bound=0), (end - start).clip(lower_bound=0))
    surface = pl.col("surface")
    # the surface's length too: a span running off the body's end slices short, and may then still match
    holds = (start >= 0) & (surface.str.len_chars() == end - start) & (sliced == surface)
    found = (
        mentions.lazy()
        .join(bodies.lazy(), on="doc_id", how="left", maintain_order="left")
        .select(holds.alias(SPAN))
        .collect()
    )
    return table.append_column(SPAN, found.to_series().to_arrow())


def _constants(con: duckdb.DuckDBPyConnection, guard: Guard) -> dict[str, str]:
    """A guard's whole-table invariants, computed now, as SQL literals."""
    return {key: _literal(con.execute(sql).fetchall()[0][0]) for key, sql in guard.invariants.items()}


def _literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    return repr(int(value))


@dataclass
class Outcome:
    suite: str
    success: bool
    rows: int = 0
    evaluated: int = 0
    failed: list[dict] = field(default_factory=list)
    # set when the verdict is a passing validation's, reused because its inputs are unchanged: its time
    reused_from: str | None = None

    @property
    def message(self) -> str:
        if self.reused_from is not None:
            return (
                f"{self.suite}: {self.evaluated} expectations passed on {self.rows} rows, unchanged since "
                f"the validation at {self.reused_from}"
            )
        if not self.failed:
            return f"{self.suite}: {self.evaluated} expectations passed on {self.rows} rows"
        names = ", ".join(
            f"{f['expectation']}({f['kwargs'].get('column', '')}) [{f['severity']}, {f['unexpected_count']} rows]"
            for f in self.failed
        )
        return f"{self.suite}: {len(self.failed)} of {self.evaluated} expectations failed on {self.rows} rows: {names}"


class _Validator:
    """A child process that imports Great Expectations as soon as it starts, then validates suites on
    request: one JSON line in (warehouse file, suite, shard), one Outcome line out. The import takes about
    6 s of single-threaded Python and is most of what the checks cost on a small run; in its own process it
    overlaps with Dagster's start-up and ingestion on the other core instead of following them."""

    def __init__(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from orchestration.lib.quality import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        atexit.register(self.close)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def send(
        self,
        warehouse: Path,
        name: str,
        shard: tuple[int, int] = (0, 1),
        constants: dict[str, str] | None = None,
    ) -> None:
        request = {"warehouse": str(warehouse), "suite": name, "shard": list(shard), "constants": constants}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def receive(self) -> Outcome:
        line = self.process.stdout.readline()
        if not line:
            raise BrokenPipeError("the validator process exited")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return Outcome(**reply)

    def validate(self, warehouse: Path, name: str) -> Outcome:
        self.send(warehouse, name)
        return self.receive()

    def close(self) -> None:
        if self.alive:
            self.process.stdin.close()
            self.process.wait(timeout=30)


_VALIDATORS: list[_Validator] = []


def warm_up(processes: int = 1) -> None:
    """Have at least `processes` validator processes running (at most one per core): `make run` starts
    one first thing, the ingestion asset again for runs started elsewhere, and the normalisation asset a
    second one when it extracted enough rows for the checks to split their chunks between two."""
    _VALIDATORS[:] = [v for v in _VALIDATORS if v.alive]
    while len(_VALIDATORS) < min(processes, worker_count()):
        _VALIDATORS.append(_Validator())


def shrink(processes: int = 1) -> None:
    """Stop validator processes beyond `processes`: after the fact checks a second one only holds
    memory that dbt's build can use."""
    live = [v for v in _VALIDATORS if v.alive]
    for validator in live[processes:]:
        validator.close()
    _VALIDATORS[:] = live[:processes]


def serve() -> None:
    """The validator process's loop (see `_Validator`); its stdout carries only the replies."""
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything the libraries print goes to stderr
    importlib.import_module("great_expectations")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            shard = tuple(request.get("shard", (0, 1)))
            reply = asdict(
                _validate_file(request["warehouse"], request["suite"], shard, request.get("constants"))
            )
        except Exception as exc:  # reported to the caller, which validates in its own process instead
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply, default=str) + "\n")
        replies.flush()
        _release_memory()  # the chunks' frames are freed: give the pages back while the run moves on
    # the run closed our stdin and waits for us: nothing here needs the interpreter's finalisation,
    # which takes most of a second with Great Expectations and pandas loaded
    replies.close()
    os._exit(0)


def _release_memory() -> None:
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError):  # not glibc: the allocator keeps the pages, only a matter of RSS
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def validate_warehouse(
    warehouse: Path,
    name: str,
    connect: Callable[[], AbstractContextManager] | None = None,
    constants: dict[str, str] | None = None,
) -> Outcome:
    """Validate suite `name` against the warehouse file: in the validator processes when `warm_up`
    started them, each taking its share of the chunks (they open the file read-only, so the caller must
    hold no connection to it), else here, through `connect` when given. `constants`: the guard's
    invariants when the caller has computed them (else each validator computes them)."""
    live = [v for v in _VALIDATORS if v.alive]
    if live:
        try:
            for k, validator in enumerate(live):
                validator.send(warehouse, name, (k, len(live)), constants)
            return merge_outcomes([validator.receive() for validator in live])
        except (OSError, RuntimeError, ValueError):  # a locked file, or a validator that died
            for validator in live:  # a half-answered request would desynchronise the next one
                validator.process.kill()
    if connect is None:
        return _validate_file(str(warehouse), name, constants=constants)
    with connect() as con:
        return validate_table(con, name, constants=constants)


def check_suite(warehouse: Path, name: str, connect: Callable[[], AbstractContextManager]) -> Outcome:
    """Suite `name`'s verdict for a run's checks, logged in normalised.validation_log.

    A suite's outcome is a function of what `fingerprint` hashes: its expectations, this module, the
    guard's invariants and every row its query gives. When the last logged validation of the suite passed
    on the same fingerprint, its verdict stands and Great Expectations is not run again: a run with no new
    documents re-validated the newest batch, which after a re-extraction is every document (111.6 of the
    154 s such a run took at a million documents). Any change to the rows the suite reads, a single
    value included, changes the fingerprint; a failed validation is never reused."""
    with connect() as con:
        constants = _constants(con, GUARDS[name])
        rows, digest = fingerprint(con, name, constants)
        last = _last_validation(con, name)
    if last is not None and last[0] == digest and last[1]:
        spec = load_suite_dict(name)
        outcome = Outcome(
            suite=name, success=True, rows=rows, evaluated=len(spec["expectations"]), reused_from=str(last[2])
        )
    else:
        outcome = validate_warehouse(warehouse, name, connect, constants)
    with connect() as con:
        con.execute(
            f"insert into normalised.{VALIDATION_LOG} values (?, ?, ?, ?, ?, ?)",
            [name, digest, outcome.rows, outcome.success, outcome.reused_from is not None, dt.datetime.now()],
        )
    return outcome


def fingerprint(con: duckdb.DuckDBPyConnection, name: str, constants: dict[str, str]) -> tuple[int, str]:
    """The rows suite `name` validates and a digest of all its verdict depends on: the suite's file, the
    value sets it is filled with, this module's source (the guards' queries, span_holds), the Great
    Expectations version, the invariants `constants`, and a hash of every row of the guard's query.

    The rows' hash is one DuckDB pass over the query (4.6 s for all the fact suites when every one of a
    million documents is in the newest batch). `span_holds` is not in the query: it reads the bodies,
    and a body cannot change under its doc_id, a hash of the body."""
    rows, row_hash = con.execute(
        f"select count(*), coalesce(sum(hash(q)), 0) from ({GUARDS[name].sql(constants)}) as q"
    ).fetchall()[0]
    parts = [
        (EXPECTATIONS / f"{name}.json").read_text(),
        json.dumps(_value_sets(), sort_keys=True),
        Path(__file__).read_text(),
        importlib.metadata.version("great_expectations"),  # not the import: 2 s in the run's process
        json.dumps(constants, sort_keys=True),
        f"{rows}:{row_hash}",
    ]
    return int(rows), hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _last_validation(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, bool, dt.datetime] | None:
    """The fingerprint, verdict and time of suite `name`'s last logged validation, if any."""
    try:
        found = con.execute(
            f"""select fingerprint, passed, validated_at from normalised.{VALIDATION_LOG}
                where suite = ? order by validated_at desc limit 1""",
            [name],
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before the log: validate
        return None
    return found[0] if found else None


def merge_outcomes(outcomes: list[Outcome]) -> Outcome:
    """One outcome from the shards of one validation: failures of the same expectation add up."""
    first = outcomes[0]
    failures: dict[str, dict] = {}
    for outcome in outcomes:
        for failed in outcome.failed:
            _add_failure(failures, failed)
    return Outcome(
        suite=first.suite,
        success=all(o.success for o in outcomes),
        rows=first.rows,
        evaluated=first.evaluated,
        failed=list(failures.values()),
    )


def _add_failure(failures: dict[str, dict], failed: dict) -> None:
    """Merge one failed expectation (from a chunk, or a shard's outcome) into `failures`: the same
    expectation's unexpected rows add up, samples are kept up to SAMPLE."""
    key = f"{failed['expectation']}:{json.dumps(failed['kwargs'], default=str, sort_keys=True)}"
    if key not in failures:
        failures[key] = dict(failed)
        return
    merged = failures[key]
    merged["unexpected_count"] += failed["unexpected_count"]
    merged["sample"] = (merged["sample"] + failed["sample"])[:SAMPLE]
    if merged.get("observed_value") is None:
        merged["observed_value"] = failed.get("observed_value")
    if "exception" in failed:
        merged.setdefault("exception", failed["exception"])


def _validate_file(
    warehouse: str, name: str, shard: tuple[int, int] = (0, 1), constants: dict[str, str] | None = None
) -> Outcome:
    # bounded: a chunk's join spills to disk rather than grow with the warehouse
    with duckdb.connect(warehouse, read_only=True, config={"memory_limit": VALIDATOR_MEMORY}) as con:
        return validate_table(con, name, shard=shard, constants=constants)


@cache
def _value_sets() -> dict[str, list[str]]:
    lookups = Lookups()
    return {
        "$countries": lookups.countries["country_iso3"].to_list(),
        "$themes": lookups.themes["theme_id"].to_list(),
        "$currencies": sorted(c.alpha_3 for c in pycountry.currencies),
    }


def load_suite_dict(name: str, folder: Path = EXPECTATIONS) -> dict:
    suite = json.loads((folder / f"{name}.json").read_text())
    sets = _value_sets()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for exp in suite["expectations"]:
        value_set = exp["kwargs"].get("value_set")
        if isinstance(value_set, str):
            exp["kwargs"]["value_set"] = sets[value_set]
        for key, value in exp["kwargs"].items():
            if value == "$tomorrow":
                value = tomorrow
            # bounds on timestamp columns: GX compares datetimes, not ISO strings
            if key in ("min_value", "max_value") and isinstance(value, str) and _ISO_DATE.fullmatch(value):
                value = dt.datetime.fromisoformat(value)
            exp["kwargs"][key] = value
    return suite


def build_suite(spec: dict):
    """A Great Expectations suite from a loaded suite file (see `load_suite_dict`)."""
    import great_expectations as gx

    return gx.ExpectationSuite(
        name=spec["name"],
        expectations=[
            gx.expectations.registry.get_expectation_impl(e["type"])(
                **e["kwargs"], meta=e.get("meta", {}), severity=e.get("severity", "critical")
            )
            for e in spec["expectations"]
        ],
    )


def validate_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    folder: Path = EXPECTATIONS,
    chunk_rows: int = CHUNK_ROWS,
    chunk_documents: int = CHUNK_DOCUMENTS,
    shard: tuple[int, int] = (0, 1),
    constants: dict[str, str] | None = None,
) -> Outcome:
    """Validate the query of suite `name` against its suite, chunk by chunk; failures are merged.
    `shard` (k, n): only chunks k, k + n, k + 2n, ... (n validators share one suite; see merge_outcomes).
    `constants`: the guard's invariants, computed here when not given."""
    import great_expectations as gx  # imported here: 2 s, paid only by the checks
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _skip_batch_fingerprints()
    spec = load_suite_dict(name, folder)
    guard = GUARDS[name]
    constants = _constants(con, guard) if constants is None else constants
    if guard.chunked:
        total, chunks = _chunk_ranges(
            con, guard.sql(constants), rows=chunk_rows, documents=chunk_documents if guard.spans else None
        )
    else:
        total, chunks = (
            con.execute(f"select count(*) from ({guard.sql(constants)})").fetchall()[0][0],
            ["true"],
        )
    columns = _columns(spec) or None
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("chunk")
    )
    suite = build_suite(spec)
    outcome = Outcome(suite=name, success=True, rows=total, evaluated=len(spec["expectations"]))
    failures: dict[str, dict] = {}
    for chunk in chunks[shard[0] :: shard[1]]:
        # only the columns the suite looks at
        frame = guard_frame(con, name, chunk=chunk, columns=columns, constants=constants)
        if frame.empty and total:
            continue
        result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format="SUMMARY"
        )
        for r in result.results:
            if r.success:
                continue
            d = r.describe_dict()
            res = d.get("result") or {}
            failed = {
                "expectation": d["expectation_type"],
                "severity": str(
                    getattr(r.expectation_config.severity, "value", r.expectation_config.severity)
                ),
                "kwargs": _short(d["kwargs"]),
                "unexpected_count": res.get("unexpected_count") or 0,
                "sample": [str(v) for v in res.get("partial_unexpected_list") or []][:SAMPLE],
                "observed_value": _jsonable(res.get("observed_value")),
            }
            if r.exception_info and r.exception_info.get("raised_exception"):
                failed["exception"] = str(r.exception_info.get("exception_message"))[:500]
            _add_failure(failures, failed)
    outcome.failed = list(failures.values())
    # an expectation marked "severity": "warning" in its suite is reported but does not fail the check
    outcome.success = all(f["severity"] == "warning" for f in outcome.failed)
    return outcome


def _chunk_ranges(
    con: duckdb.DuckDBPyConnection, query: str, *, rows: int, documents: int | None
) -> tuple[int, list[str]]:
    """The rows of `query` and the chunks to validate them in: predicates on doc_id, each a range of ids
    holding about the same number of rows, at most about `rows` (and `documents` documents) a chunk.

    Ranges, not hash buckets: the fact tables are appended in doc_id order, batch after batch, so a chunk's
    query reads its own row groups, found by their zone maps, where `hash(doc_id) % n = i` read the whole
    table for every chunk (at a million documents, 32 chunks of theme mentions each scanning 32M rows:
    0.55 s a chunk). Wherever the ids lie, the ranges partition them, a null id in the first, so every row
    is in one chunk, and a document's rows are in the same one."""
    per_document = pl.from_arrow(
        con.sql(
            f"select doc_id, count(*) as n from ({query}) group by doc_id order by doc_id"
        ).to_arrow_table()
    )
    total = int(per_document["n"].sum() or 0)
    chunks = max(1, math.ceil(total / rows))
    if documents is not None:
        chunks = max(chunks, math.ceil(per_document.height / documents))
    if chunks == 1:
        return total, ["true"]
    # a document goes to the chunk its last row falls in: a chunk holds its share of rows, plus at most
    # one document's; each chunk after the first starts at its first document's id
    bounds = (
        per_document.drop_nulls("doc_id")
        .with_columns(chunk=(pl.col("n").cum_sum() - 1) * chunks // total)
        .group_by("chunk", maintain_order=True)
        .agg(pl.col("doc_id").first())["doc_id"]
        .to_list()[1:]
    )
    if not bounds:  # one document holds every row
        return total, ["true"]
    quoted = ["'" + bound.replace("'", "''") + "'" for bound in bounds]
    return total, [
        f"(doc_id < {quoted[0]} or doc_id is null)",
        *(f"(doc_id >= {lo} and doc_id < {hi})" for lo, hi in itertools.pairwise(quoted)),
        f"(doc_id >= {quoted[-1]})",
    ]


def _skip_batch_fingerprints() -> None:
    """Great Expectations fingerprints an in-memory batch smaller than its HASH_THRESHOLD (1 GB) by hashing
    every row, twice per validation (when the batch is made and again when it is validated), for a batch
    marker nothing here reads: 2.1 of the 9.4 s that the entity mentions' suite took at 100,000 documents.
    A frame at or above the threshold is not fingerprinted, so a threshold of 0 skips it for all."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


def _vectorisable(dtypes) -> dict[str, str]:
    """Casts that put GX's pandas expectations on their vectorised path: it tests for exactly int64,
    float64 and datetime64[ns], and maps a Python function over every row of any other dtype."""
    import pandas as pd

    casts = {}
    for column, dtype in dtypes.items():
        if pd.api.types.is_integer_dtype(dtype) and dtype != "int64":
            casts[column] = "int64"
        elif pd.api.types.is_float_dtype(dtype) and dtype != "float64":
            casts[column] = "float64"
        elif pd.api.types.is_datetime64_dtype(dtype) and dtype != "datetime64[ns]":
            casts[column] = "datetime64[ns]"
    return casts


def _columns(spec: dict) -> list[str]:
    """The columns a suite's expectations name, in first-mention order."""
    names: dict[str, None] = {}
    for exp in spec["expectations"]:
        kwargs = exp["kwargs"]
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                names[kwargs[key]] = None
        names.update(dict.fromkeys(kwargs.get("column_list", [])))
    return list(names)


def _short(kwargs: dict) -> dict:
    return {
        k: (v if not isinstance(v, list) or len(v) <= 20 else f"{len(v)} values")
        for k, v in kwargs.items()
        if k != "batch_id"
    }


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)
