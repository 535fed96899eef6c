"""dbt commands forked from a warm process (orchestration/lib/dbt_server.py) behave as dbt run directly:
the same output and exit codes, signals reach the command, and without a server the client is dbt."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.defs.resources import DBT_CLIENT
from orchestration.lib import dbt_server
from tests.integration.conftest import Pipeline

DBT = str(Path(sys.executable).with_name("dbt"))
# a project of one model, and one macro whose query runs for minutes: a command to interrupt
SLOW_PROJECT = {
    "models/one.sql": "select 1 as one\n",
    "dbt_project.yml": "name: slow\nversion: '1.0'\nprofile: slow\n",
    "profiles.yml": "slow:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ':memory:'\n",
    "macros/slow.sql": (
        "{% macro slow() %}{% do run_query('select sum(hash(range)) from range(100000000000)') %}"
        "{% endmacro %}\n"
    ),
}


@pytest.fixture
def server():
    path = dbt_server.start()
    deadline = time.monotonic() + 120
    while not os.path.exists(path):  # it listens once dbt is imported
        assert time.monotonic() < deadline, "the dbt server did not start"
        time.sleep(0.1)
    yield path
    dbt_server.stop()
    assert not os.path.exists(path)


def _dbt(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env}
    return subprocess.run([str(DBT_CLIENT), *args], cwd=cwd, capture_output=True, text=True, env=environment)


def _project(tmp_path: Path) -> Path:
    for name, text in SLOW_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_served_command_prints_and_exits_as_dbt_does(server, tmp_path: Path) -> None:
    project = _project(tmp_path)
    # the fallback is missing: only the server can have run these
    served = _dbt(
        ["ls", "--profiles-dir", ".", "--resource-type", "model"],
        project,
        **{dbt_server.EXECUTABLE_ENV: "/nonexistent/dbt"},
    )
    direct = subprocess.run(
        [DBT, "ls", "--profiles-dir", ".", "--resource-type", "model"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert served.returncode == direct.returncode == 0, served.stderr
    assert (
        [line for line in served.stdout.splitlines() if "slow" in line]
        == [line for line in direct.stdout.splitlines() if "slow" in line]
        != []
    )
    usage = _dbt(["no-such-command"], project, **{dbt_server.EXECUTABLE_ENV: "/nonexistent/dbt"})
    assert usage.returncode == 2 and "No such command" in usage.stderr
    failed = _dbt(["run-operation", "no_such_macro", "--profiles-dir", "."], project)
    assert (
        failed.returncode
        == subprocess.run(
            [DBT, "run-operation", "no_such_macro", "--profiles-dir", "."], cwd=project, capture_output=True
        ).returncode
        != 0
    )


def test_a_signal_to_the_client_stops_the_command(server, tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    client = subprocess.Popen(
        [str(DBT_CLIENT), "run-operation", "slow", "--profiles-dir", "."],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert "Running with dbt" in client.stdout.readline()  # the command has started
    client.send_signal(signal.SIGTERM)
    assert client.wait(timeout=60) == 128 + signal.SIGTERM


def test_without_a_server_the_client_is_dbt(tmp_path: Path) -> None:
    project = _project(tmp_path)
    for socket in ("", str(tmp_path / "gone.sock")):  # none named; one named that does not answer
        done = _dbt(
            ["ls", "--profiles-dir", ".", "--resource-type", "model"],
            project,
            **{dbt_server.SOCKET_ENV: socket},
        )
        assert done.returncode == 0 and "slow.one" in done.stdout, done.stderr


def test_a_runs_dbt_step_goes_through_the_server(copy_of_built: Pipeline, monkeypatch) -> None:
    monkeypatch.setenv(dbt_server.EXECUTABLE_ENV, "/nonexistent/dbt")  # no fallback: the server or nothing
    result = copy_of_built.run()
    assert result.success
    assert any(
        e.asset_key.path[0] == "marts"
        for e in result.get_asset_materialization_events()
        for e in [e.materialization]
    )


def test_a_client_waits_for_a_server_still_importing_dbt(tmp_path: Path) -> None:
    project = _project(tmp_path)
    dbt_server.stop()
    path = dbt_server.start()
    try:
        assert not os.path.exists(path)  # the server is importing dbt
        done = _dbt(
            ["ls", "--profiles-dir", ".", "--resource-type", "model"],
            project,
            **{dbt_server.EXECUTABLE_ENV: "/nonexistent/dbt"},  # served, or it fails
        )
        assert done.returncode == 0 and "slow.one" in done.stdout, done.stderr
    finally:
        dbt_server.stop()
