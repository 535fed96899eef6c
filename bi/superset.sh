#!/usr/bin/env bash
# Superset over the published snapshot: build (from scratch), serve, provision, check, stop.
#   bi/superset.sh up   SNAPSHOT HOME PORT   build the metadata in HOME, serve on 127.0.0.1:PORT, provision
#   bi/superset.sh check HOME PORT PNG       every chart returns rows; screenshot of the dashboard
#   bi/superset.sh down HOME                 stop the server started by `up` (by its process id)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv-bi/bin
export FLASK_APP=superset SUPERSET_CONFIG_PATH="$PWD/bi/superset_config.py" PYTHONWARNINGS=ignore

case "$1" in
  up)
    snapshot=$(realpath "$2"); export SUPERSET_HOME=$(realpath -m "$3"); port=$4
    [ -f "$snapshot" ] || { echo "no snapshot at $snapshot: run 'make run' first" >&2; exit 1; }
    rm -rf "$SUPERSET_HOME" && mkdir -p "$SUPERSET_HOME"
    $BIN/superset db upgrade >"$SUPERSET_HOME/setup.log" 2>&1
    $BIN/superset fab create-admin --username admin --firstname Communique --lastname Admin \
      --email admin@localhost.invalid --password admin >>"$SUPERSET_HOME/setup.log" 2>&1
    $BIN/superset init >>"$SUPERSET_HOME/setup.log" 2>&1
    # restore SIGINT so the server stops on SIGTERM even when started from a script
    $BIN/python -c "import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])" \
      $BIN/superset run -h 127.0.0.1 -p "$port" --with-threads >"$SUPERSET_HOME/server.log" 2>&1 &
    echo $! >"$SUPERSET_HOME/server.pid"
    SUPERSET_URL="http://127.0.0.1:$port" $BIN/python bi/provision.py provision "$snapshot"
    ;;
  check)
    export SUPERSET_HOME=$(realpath -m "$2")
    SUPERSET_URL="http://127.0.0.1:$3" $BIN/python bi/provision.py check "$4"
    ;;
  down)
    pidfile=$(realpath -m "$2")/server.pid
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile"); kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"
    fi
    ;;
esac
