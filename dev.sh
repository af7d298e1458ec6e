#!/usr/bin/env bash
# One entry point for a fresh machine: sets up virtualenvs, then runs what you ask.
#   bash dev.sh demo           run `bento demo` on the embedded emulator
#   bash dev.sh test [ARGS]    what CI runs: lint, the docs build, then the suite with every
#                              dependency at its floor, on the other Pythons, and on the
#                              default one (ARGS go to every pytest run)
#   bash dev.sh quick [ARGS]   lint and the suite on the default Python only (for local loops)
#   bash dev.sh lint           ruff check, ruff format --check, mypy --strict
#   bash dev.sh lowest [ARGS]  the suite with every direct dependency at its declared floor
#   bash dev.sh pythons [ARGS] the suite on each Python of $PYTHONS, found through pyenv
#   bash dev.sh docs           build the documentation site into site/ (warnings are errors)
#   bash dev.sh bench          run every benchmark in full and print the table
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
PYTHONS=${PYTHONS:-"3.10 3.12 3.13"} # besides the default: the oldest and newest supported

# setup_venv DIR PYTHON EXTRAS [CONSTRAINTS]: the project installed editable in DIR, with
# EXTRAS; reinstalled only when pyproject.toml changed since the last set-up.
setup_venv() {
    local venv=$1 python=$2 extras=$3 constraints=${4:-}
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    local stamp="$venv/.installed"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        "$venv/bin/python" -m pip install --quiet -e ".[$extras]" ${constraints:+-c "$constraints"}
        touch "$stamp"
    fi
}

setup() {
    setup_venv "$VENV" "$PYTHON" dev,docs
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

# run_pytest DIR LABEL [ARGS]: the suite in one virtualenv (pytest's exit 5, no test
# collected, fails the job with its own line).
run_pytest() {
    local venv=$1 label=$2 status=0
    shift 2
    need_redis_server
    echo "== pytest on $label: $("$venv/bin/python" -V)"
    "$venv/bin/python" -m pytest "$@" || status=$?
    if [ "$status" -eq 5 ]; then
        echo "== pytest on $label collected no test" >&2
    fi
    return "$status"
}

lint() {
    setup
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
}

docs() {
    setup
    echo "== docs: mkdocs build --strict"
    NO_MKDOCS_2_WARNING=1 "$VENV/bin/mkdocs" build --strict --quiet --site-dir site
}

# Every direct dependency (runtime and non-dev extras) pinned to the floor pyproject.toml
# declares; the test tools resolve as usual.
lowest() {
    setup
    local constraints extras
    constraints=$(mktemp)
    "$VENV/bin/python" .ci/floors.py >"$constraints"
    extras=$("$VENV/bin/python" .ci/floors.py --extras)
    setup_venv .venv-lowest "$PYTHON" "dev${extras:+,$extras}" "$constraints"
    echo "== lowest: $(tr '\n' ' ' <"$constraints")"
    .venv-lowest/bin/python -m pip install --quiet --no-deps --dry-run -r "$constraints" \
        --report - | grep -q '"install": \[\]' ||
        { echo "== lowest: .venv-lowest does not hold the floors (rm -r .venv-lowest)" >&2; exit 1; }
    rm -f "$constraints"
    run_pytest .venv-lowest "lowest dependencies" -q "$@"
}

# pyenv_python VERSION: the prefix of the newest pyenv build of VERSION, or nothing.
pyenv_python() {
    local root=${PYENV_ROOT:-$HOME/.pyenv}
    if command -v pyenv >/dev/null; then root=$(pyenv root); fi
    { ls -d "$root/versions/$1".* 2>/dev/null || true; } | sort -V | tail -n 1
}

pythons() {
    local version prefix
    for version in $PYTHONS; do
        prefix=$(pyenv_python "$version")
        if [ -z "$prefix" ] || [ ! -x "$prefix/bin/python" ]; then
            echo "== SKIPPED Python $version: no pyenv build of it (pyenv install $version)"
            continue
        fi
        setup_venv ".venv-$version" "$prefix/bin/python" dev
        run_pytest ".venv-$version" "Python $version" -q "$@"
    done
}

quick() {
    lint
    run_pytest "$VENV" "the default Python" "$@"
}

test_all() {
    lint
    docs
    lowest "$@"
    pythons "$@"
    run_pytest "$VENV" "the default Python" "$@"
}

job=${1:-}
[ $# -gt 0 ] && shift
case "$job" in
    demo) setup && exec "$VENV/bin/bento" demo "$@" ;;
    bench) setup && exec "$VENV/bin/python" -m benchmarks "$@" ;;
    test) test_all "$@" ;;
    quick | lint | lowest | pythons | docs) "$job" "$@" ;;
    *)
        echo "usage: bash dev.sh demo|test|quick|lint|lowest|pythons|docs|bench [args...]" >&2
        exit 2
        ;;
esac
