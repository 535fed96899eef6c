"""dagster-dbt writes a target folder per run; the pipeline keeps only the newest few."""

import inspect
import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.defs.transformation.assets import (
    KEEP_RUN_TARGETS,
    PARTIAL_PARSE,
    keep_partial_parse,
    prune_run_targets,
)
from tests.integration.conftest import Pipeline


def test_only_the_newest_run_targets_are_kept(tmp_path) -> None:
    for i in range(8):
        folder = tmp_path / f"dbt_models-run{i}"
        folder.mkdir()
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "manifest.json").write_text("{}")
    removed = prune_run_targets(tmp_path, 3)
    assert sorted(p.name for p in removed) == [f"dbt_models-run{i}" for i in range(5)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dbt_models-run5",
        "dbt_models-run6",
        "dbt_models-run7",
        "manifest.json",
    ]


def test_a_run_leaves_at_most_the_kept_number_of_run_targets(built: Pipeline) -> None:
    from orchestration.defs.resources import dbt_project

    target = dbt_project.project_dir / dbt_project.target_path
    assert len(list(target.glob("dbt_models-*"))) <= KEEP_RUN_TARGETS


def test_the_dbt_resource_skips_only_what_the_pipeline_does_not_use() -> None:
    """DbtResource answers dagster-dbt's version question from the installed package instead of a
    `dbt --version` subprocess, and builds no adapter handle: both must still fit dagster-dbt."""
    from orchestration.defs.resources import DbtResource, dbt_project

    executable = str(Path(sys.executable).with_name("dbt"))
    ours = DbtResource(project_dir=dbt_project, dbt_executable=executable)
    theirs = DbtCliResource(project_dir=dbt_project, dbt_executable=executable)
    assert ours._cli_version == theirs._cli_version  # theirs runs `dbt --version`
    # the two members DbtResource replaces are still the ones dagster-dbt's `cli` calls
    source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in source and "self._initialize_dbt_core_adapter(args)" in source
    assert ours._initialize_dbt_core_adapter(["build"]) is None


def test_a_runs_parse_state_replaces_the_projects(tmp_path) -> None:
    run, target = tmp_path / "dbt_models-run1", tmp_path
    run.mkdir()
    (target / PARTIAL_PARSE).write_bytes(b"from dbt parse")
    assert not keep_partial_parse(run, target)  # a run that wrote none (it failed before parsing)
    assert (target / PARTIAL_PARSE).read_bytes() == b"from dbt parse"
    (run / PARTIAL_PARSE).write_bytes(b"from the run")
    assert keep_partial_parse(run, target)
    assert (target / PARTIAL_PARSE).read_bytes() == b"from the run"
    assert sorted(p.name for p in target.iterdir()) == ["dbt_models-run1", PARTIAL_PARSE]


def test_the_project_keeps_the_newest_runs_parse_state(built: Pipeline) -> None:
    """The project's parse state is the newest run's, whose profile (warehouse path) the next run on the
    same warehouse shares: dbt reuses it instead of parsing the whole project again."""
    from orchestration.defs.resources import dbt_project

    target = dbt_project.project_dir / dbt_project.target_path
    newest = max(target.glob("dbt_models-*"), key=lambda p: p.stat().st_mtime)
    assert (target / PARTIAL_PARSE).read_bytes() == (newest / PARTIAL_PARSE).read_bytes()
