#!/usr/bin/env bash
# moto's S3 server for the S3 artifact-store tests, on 127.0.0.1 and a free port.
#   scripts/moto.sh start   starts it (unless it runs already) and prints its URL, e.g. http://127.0.0.1:40123
#   scripts/moto.sh url     prints the URL of the running server
#   scripts/moto.sh stop    stops it
# State lives in .build/moto (pid, url, log). Uses moto_server from the project's .venv (make venv).
set -euo pipefail
cd "$(dirname "$0")/.."
state=.build/moto
mkdir -p "$state"
running() { [[ -f $state/pid ]] && kill -0 "$(cat "$state/pid")" 2>/dev/null; }

case "${1:-}" in
start)
    if running; then cat "$state/url"; exit 0; fi
    port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    nohup .venv/bin/moto_server -H 127.0.0.1 -p "$port" >"$state/log" 2>&1 &
    echo $! >"$state/pid"
    url="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        if .venv/bin/python -c "import urllib.request, sys; urllib.request.urlopen('$url/moto-api/', timeout=1)" 2>/dev/null; then
            echo "$url" >"$state/url"
            echo "$url"
            exit 0
        fi
        running || break
        sleep 0.2
    done
    echo "moto_server did not start; see $state/log" >&2
    exit 1
    ;;
url)
    running && cat "$state/url"
    ;;
stop)
    if running; then kill "$(cat "$state/pid")"; fi
    rm -f "$state/pid" "$state/url"
    ;;
*)
    echo "usage: $0 start|url|stop" >&2
    exit 2
    ;;
esac
