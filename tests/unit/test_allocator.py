"""The allocator setting `orchestration` makes on import reaches Polars, whichever is imported first."""

import os
import subprocess
import sys

from orchestration import ALLOCATOR

OPTIONS = ("dirty_decay_ms", "muzzy_decay_ms", "background_thread")


def _in_force(conf: str) -> dict[str, str]:
    # jemalloc applies options left to right: the last value of each one is the one in force
    options = dict(option.split(":", 1) for option in conf.split(",") if option)
    return {name: options.get(name) for name in OPTIONS}


WANTED = _in_force(ALLOCATOR)


def _run(code: str, **env: str) -> str:
    """`code` in a fresh interpreter, started without the setting this test process has made on import."""
    environment = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"} | env
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    ).stdout.strip()


def test_polars_loaded_after_orchestration_gets_the_setting() -> None:
    conf = _run("import orchestration, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])")
    assert _in_force(conf) == WANTED


def test_processes_started_after_polars_loaded_first_get_it_too() -> None:
    child = "import polars, os; print(os.environ['_RJEM_MALLOC_CONF'])"
    conf = _run(
        "import polars, orchestration, subprocess, sys; "
        f"print(subprocess.run([sys.executable, '-c', {child!r}], capture_output=True, text=True).stdout)"
    )
    assert _in_force(conf) == WANTED


def test_without_orchestration_polars_uses_its_own() -> None:
    """What the setting changes: Polars' default, which the tests above must override."""
    conf = _run("import polars, os; print(os.environ['_RJEM_MALLOC_CONF'])")
    assert _in_force(conf) != WANTED


def test_a_setting_of_ones_own_is_kept() -> None:
    conf = _run(
        "import orchestration, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])",
        _RJEM_MALLOC_CONF="dirty_decay_ms:0",
    )
    assert _in_force(conf)["dirty_decay_ms"] == "0" and "background_thread" not in conf
