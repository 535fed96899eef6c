"""The publication months: the partitions of the lake, added by ingestion as documents arrive."""

import dagster as dg

MONTHS = dg.DynamicPartitionsDefinition(name="publication_month")


def register_months(instance: dg.DagsterInstance, months: list[str]) -> list[str]:
    """Add the months Dagster does not know yet as partitions; returns the ones added."""
    known = set(instance.get_dynamic_partitions(MONTHS.name))
    new = [m for m in months if m not in known]
    if new:
        instance.add_dynamic_partitions(MONTHS.name, new)
    return new
