"""`make docs`: build the Great Expectations Data Docs and the dbt docs site into site/ (gitignored).

Data Docs are built from a validation of every suite against COMMUNIQUE_WAREHOUSE, so the pages show
real results. Prints where both sites are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.lib import paths
from orchestration.lib.quality import GUARDS, build_suite, guard_frame, load_suite_dict

SITE = paths.ROOT / "site"


def build_data_docs(warehouse: Path, out: Path) -> Path:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    shutil.rmtree(out, ignore_errors=True)
    context = gx.get_context(mode="file", project_root_dir=str(out / "project"))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("warehouse")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name in GUARDS:
            suite = context.suites.add(build_suite(load_suite_dict(name)))
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("latest")
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            frame = guard_frame(con, name, sample=200_000)
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{name}_checkpoint",
                    validation_definitions=[validation],
                    actions=[gx.checkpoint.UpdateDataDocsAction(name="docs")],
                )
            )
            checkpoint.run(batch_parameters={"dataframe": frame})
    context.build_data_docs()
    index = next((out / "project").rglob("data_docs/local_site/index.html"))
    return index


def build_dbt_docs(out: Path) -> Path:
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "docs", "generate", "--quiet", "--target-path", str(out)],
        cwd=paths.DBT_PROJECT,
        check=True,
    )
    return out / "index.html"


def write_index(gx_index: Path, dbt_index: Path, root: Path = SITE) -> Path:
    """A plain index of both sites: GX's own index builds its tables with scripts from a CDN, which an
    offline machine cannot load; its validation and suite pages read fine without them."""
    site = gx_index.parent
    pages = sorted(site.glob("validations/**/*.html")) + sorted(site.glob("expectations/*.html"))
    items = "\n".join(
        f'<li><a href="{p.relative_to(root)}">{p.relative_to(site).with_suffix("")}</a></li>' for p in pages
    )
    index = root / "index.html"
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>Communiqué documentation</title>"
        "<h1>Communiqué documentation</h1>"
        f"<p><a href='{dbt_index.relative_to(root)}'>dbt docs</a> (needs a web server: <code>make docs-serve</code>)</p>"
        f"<h2>Great Expectations: validation results and suites</h2><ul>{items}</ul>"
    )
    return index


def build(warehouse: Path, site: Path) -> tuple[Path, Path, Path]:
    """Both sites and the plain index for `warehouse`, under `site`."""
    os.environ[paths.WAREHOUSE_ENV] = str(warehouse.resolve())  # dbt's profile reads it
    gx_index = build_data_docs(warehouse, site / "great_expectations")
    dbt_index = build_dbt_docs(site / "dbt")
    return write_index(gx_index, dbt_index, site), gx_index, dbt_index


def main() -> None:
    warehouse = paths.warehouse_file()
    if not warehouse.exists():
        sys.exit(f"no warehouse at {warehouse}: run `make run` first")
    index, gx_index, dbt_index = build(warehouse, SITE)
    print(f"Index of both sites:          {index}")
    print(f"Great Expectations Data Docs: {gx_index}")
    print(f"dbt docs:                     {dbt_index}  (serve with: make docs-serve)")


if __name__ == "__main__":
    main()
