"""Great Expectations suites as Dagster asset checks. Blocking on every table that feeds the marts:
a failure stops dbt. The marts' distribution suites warn."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.ingestion.assets import DOCUMENTS, QUARANTINE
from orchestration.defs.normalisation.assets import FACT_KEYS


def _result(outcome, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=severity,
        description=outcome.message,
        metadata={
            "rows": outcome.rows,
            "expectations": outcome.evaluated,
            "failed_expectations": dg.MetadataValue.json(outcome.failed),
        },
    )


def gx_check(asset_key: dg.AssetKey, suite: str, *, blocking: bool) -> dg.AssetChecksDefinition:
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN

    @dg.asset_check(
        asset=asset_key,
        name=f"gx_{suite}",
        blocking=blocking,
        description=f"Great Expectations suite expectations/{suite}.json",
    )
    def _check(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        from orchestration.lib.quality import validate_warehouse

        return _result(
            validate_warehouse(Path(warehouse.database), suite, warehouse.get_connection), severity
        )

    return _check


def build_checks() -> list[dg.AssetChecksDefinition]:
    blocking = [
        gx_check(DOCUMENTS, "documents", blocking=True),
        gx_check(QUARANTINE, "quarantine", blocking=True),
    ]
    blocking += [gx_check(key, table, blocking=True) for table, key in FACT_KEYS.items()]
    warnings = [
        gx_check(dg.AssetKey(["marts", "mart_theme_monthly"]), "mart_theme_monthly", blocking=False),
        gx_check(dg.AssetKey(["marts", "mart_metric_monthly"]), "mart_metric_monthly", blocking=False),
    ]
    return blocking + warnings
