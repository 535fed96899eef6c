"""Great Expectations suites as Dagster asset checks. Blocking on every table that feeds the marts:
a failure stops dbt. The marts' distribution suites warn."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.ingestion.assets import DOCUMENTS, QUARANTINE
from orchestration.defs.normalisation.assets import FACT_KEYS


def _result(
    outcome, severity: dg.AssetCheckSeverity, asset_key: dg.AssetKey, check_name: str
) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=outcome.success,
        severity=severity,
        description=outcome.message,
        metadata={
            "rows": outcome.rows,
            "expectations": outcome.evaluated,
            "failed_expectations": dg.MetadataValue.json(outcome.failed),
            # the time of the passing validation whose verdict stands, its inputs unchanged (else none)
            "reused_from": outcome.reused_from or "",
        },
    )


def gx_checks(name: str, suites: dict[str, dg.AssetKey], *, blocking: bool) -> dg.AssetChecksDefinition:
    """One asset check per suite (`gx_<suite>` on its table), run together in one step: the suites of one
    stage share the step's start-up and the validator's warm cache, instead of one step each."""
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN
    specs = [
        dg.AssetCheckSpec(
            f"gx_{suite}",
            asset=key,
            blocking=blocking,
            description=f"Great Expectations suite expectations/{suite}.json",
        )
        for suite, key in suites.items()
    ]

    @dg.multi_asset_check(specs=specs, name=name, can_subset=True)
    def _checks(context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource):
        from orchestration.lib.quality import check_suite, shrink

        selected = {key.name for key in context.selected_asset_check_keys}
        for suite, key in suites.items():
            if f"gx_{suite}" not in selected:
                continue
            outcome = check_suite(Path(warehouse.database), suite, warehouse.get_connection)
            yield _result(outcome, severity, key, f"gx_{suite}")
        shrink(1)  # a second validator (large runs) has done its share: dbt gets its memory

    return _checks


def build_checks() -> list[dg.AssetChecksDefinition]:
    marts = ("mart_theme_monthly", "mart_metric_monthly")
    return [
        gx_checks("gx_ingestion", {"documents": DOCUMENTS, "quarantine": QUARANTINE}, blocking=True),
        gx_checks("gx_facts", {table: key for table, key in FACT_KEYS.items()}, blocking=True),
        gx_checks("gx_marts", {m: dg.AssetKey(["marts", m]) for m in marts}, blocking=False),
    ]
