#!/usr/bin/env bash
# One entry point for a fresh machine: sets up .venv, then runs what you ask.
#   bash dev.sh demo      run `bento demo` on the embedded emulator
#   bash dev.sh test      lint, type-check and run the whole test suite (what CI runs)
#   bash dev.sh bench     run every benchmark in full and print the table
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

setup() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when the project metadata changed since the last set-up.
    local stamp="$VENV/.installed"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e '.[dev]'
        touch "$stamp"
    fi
}

# The shared-quota tests start their own redis-server; install it when missing and we may.
need_redis_server() {
    if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
    else
        echo "dev.sh: redis-server is missing (apt-get install redis-server); its tests will skip" >&2
    fi
}

case "${1:-}" in
    demo)
        setup
        shift
        exec "$VENV/bin/bento" demo "$@"
        ;;
    test)
        setup
        need_redis_server
        shift
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        "$VENV/bin/mypy"
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    bench)
        setup
        shift
        exec "$VENV/bin/python" -m benchmarks "$@"
        ;;
    *)
        echo "usage: bash dev.sh demo|test|bench [args...]" >&2
        exit 2
        ;;
esac
