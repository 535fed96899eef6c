"""The Kubernetes profile in deploy/k8s/ is valid against Dagster's own config schemas."""

from pathlib import Path

import yaml
from dagster._config import validate_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_k8s import K8sRunLauncher, k8s_job_executor

from orchestration.defs.automation.jobs import WRITES_WAREHOUSE, all_assets_job

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


def test_instance_run_launcher_and_coordinator_validate() -> None:
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert instance["run_launcher"]["class"] == "K8sRunLauncher"
    launcher = validate_config(K8sRunLauncher.config_type(), instance["run_launcher"]["config"])
    assert launcher.success, launcher.errors
    coordinator = validate_config(QueuedRunCoordinator.config_type(), instance["run_coordinator"]["config"])
    assert coordinator.success, coordinator.errors
    env = dict(v.split("=", 1) for v in instance["run_launcher"]["config"]["env_vars"])
    mounts = {m["mountPath"] for m in instance["run_launcher"]["config"]["volume_mounts"]}
    assert all(
        any(env[k].startswith(m) for m in mounts) for k in ("COMMUNIQUE_DOCUMENTS", "COMMUNIQUE_WAREHOUSE")
    )
    # the facts go to the lake in object storage; one writer of the warehouse at a time
    assert env["COMMUNIQUE_FACTS"] == "lake" and env["COMMUNIQUE_LAKE"].startswith("s3://")
    limits = instance["run_coordinator"]["config"]["tag_concurrency_limits"]
    assert {"key": WRITES_WAREHOUSE[0], "value": WRITES_WAREHOUSE[1], "limit": 1} in limits
    assert all_assets_job.tags[WRITES_WAREHOUSE[0]] == WRITES_WAREHOUSE[1]


def test_the_lake_root_from_the_deployment_is_used_as_given(monkeypatch) -> None:
    from orchestration.lib import paths

    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    env = dict(v.split("=", 1) for v in instance["run_launcher"]["config"]["env_vars"])
    monkeypatch.setenv(paths.FACTS_ENV, env["COMMUNIQUE_FACTS"])
    monkeypatch.setenv(paths.LAKE_ENV, env["COMMUNIQUE_LAKE"])
    assert paths.facts_in_lake()
    assert paths.lake_root(Path(env["COMMUNIQUE_WAREHOUSE"])) == "s3://communique-lake/facts"


def test_a_wrong_key_is_rejected() -> None:
    bad = {"service_account_name": "x", "instance_config_map": "y", "no_such_key": 1}
    assert not validate_config(K8sRunLauncher.config_type(), bad).success


def test_step_executor_run_config_validates() -> None:
    run_config = yaml.safe_load((DEPLOY / "run_config.yaml").read_text())
    result = validate_config(k8s_job_executor.config_schema.config_type, run_config["execution"]["config"])
    assert result.success, result.errors
