"""dbt from a warm process: a fork server that has imported dbt, and the client dagster-dbt runs as `dbt`.

Importing dbt (click, the adapters, Jinja, agate) takes about 3.7 s of one core, paid by every `dbt build`
before it logs a line. The server imports dbt once, at the start of a run, beside Dagster's own start-up;
each `dbt` command the run starts is then a fork of it, a fresh copy of that state. On the bench's
million-document warehouse the daily run's dbt step spent 6.2-8.6 s outside dbt's nodes without it and
2.1-2.9 s with it (three runs each, alternated; see the README's Scale section).

- `start()` (`make run` calls it first thing, the ingestion asset again for runs started elsewhere)
  starts the server and points `COMMUNIQUE_DBT_SERVER` at its socket; the server exits when the process
  that started it closes its stdin, or dies.
- dagster-dbt runs `orchestration/bin/dbt` (see resources.DbtResource), which runs `client`: it passes
  its argv, environment, working directory and its stdin, stdout and stderr (the file descriptors
  themselves) to the server, forwards SIGINT and SIGTERM to the command and exits with its exit code.
  A server still importing dbt is waited for; without one, or when it cannot be reached, the client
  becomes dbt itself (`exec`), so a step in a process of its own (Dagster's multiprocess executor) runs
  dbt as before.
- The server forks a keeper per command, which forks the command and waits for it: the keeper reports
  the exit status, and stops the command when the client goes away.
- A command differs from a dbt process only in what was fixed when the server started: the modules
  imported, `sys.path` and the interpreter's own settings. Its environment, directory and arguments are
  the client's.

Nothing but the standard library is imported at module level: the client runs this file as a script.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOCKET_ENV = "COMMUNIQUE_DBT_SERVER"
PID_ENV = "COMMUNIQUE_DBT_SERVER_PID"  # a client waits for a server still importing dbt
EXECUTABLE_ENV = "COMMUNIQUE_DBT_EXECUTABLE"  # the real dbt, for the client's fallback
START_WAIT_S = 60  # at most this long: importing dbt takes about 4 s
_HEADER = struct.Struct("!I")
# modules a `dbt build` imports after dbt.cli.main, imported ahead too (any that is missing is skipped)
_AHEAD = (
    "dbt.adapters.duckdb",
    "dbt.adapters.duckdb.impl",
    "dbt.adapters.duckdb.connections",
    "dbt.adapters.duckdb.relation",
    "dbt.adapters.duckdb.column",
    "dbt.adapters.duckdb.environments.local",
    "dbt.task.build",
    "dbt.task.run",
    "dbt.task.test",
    "dbt.task.seed",
    "dbt.parser.manifest",
    "dbt.graph",
    "dbt.context.providers",
    "agate",
    "duckdb",
)

_server: subprocess.Popen | None = None


def start() -> str | None:
    """Start the server unless one of this process's is running; set COMMUNIQUE_DBT_SERVER for the dbt
    commands this process starts. Returns the socket's path."""
    global _server
    if _server is not None and _server.poll() is None:
        return os.environ.get(SOCKET_ENV)
    path = str(Path(tempfile.mkdtemp(prefix="communique-dbt-")) / "dbt.sock")
    _server = subprocess.Popen(
        [sys.executable, "-P", __file__, "serve", path],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    os.environ[SOCKET_ENV] = path
    os.environ[PID_ENV] = str(_server.pid)
    return path


def stop() -> None:
    """Stop this process's server (it removes its socket)."""
    global _server
    if _server is None:
        return
    if _server.poll() is None:
        _server.stdin.close()  # its signal to exit
        try:
            _server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _server.kill()
    _server = None
    os.environ.pop(SOCKET_ENV, None)
    os.environ.pop(PID_ENV, None)


atexit.register(stop)  # once: a process that restarts its server does not stack up exit handlers


def serve(path: str) -> None:
    """The server: import dbt, then fork a keeper for each command until stdin closes."""
    import importlib

    importlib.import_module("dbt.cli.main")
    for name in _AHEAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # the keepers are reaped by the kernel; each keeper sets this back before it forks the command
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".tmp")
    listener.listen(8)
    os.replace(path + ".tmp", path)  # a client connects only once the server accepts
    try:
        while True:
            ready, _, _ = select.select([listener, sys.stdin], [], [])
            if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
                return  # the run's process closed our stdin, or died
            if listener in ready:
                connection, _ = listener.accept()
                if os.fork() == 0:  # the keeper
                    listener.close()
                    _keep(connection)
                connection.close()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(path))


def _keep(connection: socket.socket) -> None:
    """In the keeper: read the request, fork the command, report its pid and then its exit code."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        request, fds = _receive(connection)
        pid = os.fork()
        if pid == 0:
            connection.close()
            _command(request, fds)
        for fd in fds:
            os.close(fd)
        connection.sendall(f"pid {pid}\n".encode())
        code = _wait(pid, connection)
        connection.sendall(f"exit {code}\n".encode())
    except BaseException as exc:  # noqa: BLE001 (a keeper must never return into the server's loop)
        with contextlib.suppress(BaseException):
            print(f"dbt server: {type(exc).__name__}: {exc}", file=sys.stderr)
    os._exit(0 if code == 0 else 1)


def _wait(pid: int, connection: socket.socket) -> int:
    """The command's exit code (128 + the signal that ended it); a client that goes away stops it."""
    process = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([process, connection], [], [])
        if process not in ready and not connection.recv(1):  # the client is gone (it sends nothing else)
            os.kill(pid, signal.SIGTERM)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    finally:
        os.close(process)
    return code if code >= 0 else 128 - code


def _command(request: dict, fds: list[int]) -> None:
    """In the command's process: become the client's dbt (its streams, environment, directory, argv)."""
    code = 1
    try:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.setpgid(0, 0)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["dbt", *request["args"]]
        # sys.stdout and sys.stderr write to descriptors 1 and 2, now the client's: nothing was written to
        # them in the server (its stdout is /dev/null), so no buffered output of its own goes along
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from dbt.cli.main import cli

        try:
            cli.main(args=request["args"], prog_name="dbt")
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException as exc:  # noqa: BLE001 (reported on the client's stderr, as dbt would)
        with contextlib.suppress(BaseException):
            print(f"dbt: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        # what the interpreter does at exit, as a dbt process would: the atexit functions (multiprocessing's
        # among them, which releases the semaphores dbt made) and the streams
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
    os._exit(code)


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    while len(data) < _HEADER.size:
        data += connection.recv(1 << 16)
    (size,) = _HEADER.unpack_from(data)
    while len(data) < _HEADER.size + size:
        more = connection.recv(1 << 16)
        if not more:
            raise EOFError("the client sent half a request")
        data += more
    return json.loads(data[_HEADER.size : _HEADER.size + size]), list(fds)


def client(args: list[str]) -> int:
    """Run `dbt args` in the server when COMMUNIQUE_DBT_SERVER names one that answers, else exec dbt."""
    path = os.environ.get(SOCKET_ENV)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if not path:
            raise FileNotFoundError("no server")
        _await(path, os.environ.get(PID_ENV))
        connection.connect(path)
        body = json.dumps({"args": args, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
        socket.send_fds(connection, [_HEADER.pack(len(body)) + body], [0, 1, 2])
        replies = connection.makefile("r")
        word, pid = replies.readline().split()
    except (OSError, ValueError):
        connection.close()
        executable = os.environ.get(EXECUTABLE_ENV) or str(Path(sys.executable).with_name("dbt"))
        os.execv(executable, [executable, *args])
    assert word == "pid"
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda signum, _frame: os.kill(int(pid), signum))
    line = replies.readline()
    if not line.startswith("exit "):
        print("dbt server: the command's keeper went away", file=sys.stderr)
        return 1
    return int(line.split()[1])


def _await(path: str, pid: str | None) -> None:
    """Wait while the server that will listen at `path` is still importing dbt (alive, not yet listening):
    the rest of its import is shorter than a whole one here, on a machine busy with it."""
    deadline = time.monotonic() + START_WAIT_S
    while not os.path.exists(path) and pid and _alive(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except (OSError, IndexError):
        return False


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    elif sys.argv[1] == "client":
        sys.exit(client(sys.argv[2:]))
