"""`make docs` builds the Great Expectations Data Docs and the dbt docs site."""

from orchestration.docs_site import build
from tests.integration.conftest import Pipeline


def test_both_documentation_sites_are_built(built: Pipeline, tmp_path) -> None:
    index, gx_index, dbt_index = build(built.warehouse, tmp_path / "site")
    assert gx_index.exists() and dbt_index.exists()
    validations = list(gx_index.parent.glob("validations/**/*.html"))
    assert {p.parts[p.parts.index("validations") + 1] for p in validations} >= {
        "documents",
        "entity_mentions",
        "theme_mentions",
    }
    assert "span_holds" in next(p for p in validations if "entity_mentions" in p.parts).read_text()
    assert (dbt_index.parent / "catalog.json").exists() and (dbt_index.parent / "manifest.json").exists()
    assert index.read_text().count("<li>") == len(validations) + len(
        list(gx_index.parent.glob("expectations/*.html"))
    )
