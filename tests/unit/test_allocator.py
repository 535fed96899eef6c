"""The allocator setting `orchestration` makes on import reaches Polars, whichever is imported first."""

import os
import subprocess
import sys

from orchestration import KEEP_FREED_PAGES


def _last_decay(conf: str) -> list[str]:
    # jemalloc applies options left to right: the last value of each one is the one in force
    options = dict(option.split(":", 1) for option in conf.split(",") if option)
    return [f"{name}:{options[name]}" for name in ("dirty_decay_ms", "muzzy_decay_ms")]


def _run(code: str) -> str:
    """`code` in a fresh interpreter, started without the setting this test process has made on import."""
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


def test_polars_loaded_after_orchestration_keeps_freed_pages() -> None:
    conf = _run("import orchestration, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])")
    assert _last_decay(conf) == KEEP_FREED_PAGES.split(",")


def test_processes_started_after_polars_loaded_first_keep_them_too() -> None:
    child = "import polars, os; print(os.environ['_RJEM_MALLOC_CONF'])"
    conf = _run(
        "import polars, orchestration, subprocess, sys; "
        f"print(subprocess.run([sys.executable, '-c', {child!r}], capture_output=True, text=True).stdout)"
    )
    assert _last_decay(conf) == KEEP_FREED_PAGES.split(",")


def test_without_orchestration_polars_would_return_them() -> None:
    """What the setting changes: Polars' own default, which the two tests above must override."""
    conf = _run("import polars, os; print(os.environ['_RJEM_MALLOC_CONF'])")
    assert _last_decay(conf) != KEEP_FREED_PAGES.split(",")
