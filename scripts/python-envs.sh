#!/usr/bin/env bash
# Python tools the tests use, each in its own project-local virtual environment, installed from
# its pinned requirements file only when that file changed since the last install; safe to re-run.
#   .venv/schemathesis   requirements-schemathesis.txt   (test/e2e/schemathesis.test.ts)
#   .venv/airflow2       requirements-airflow2.txt       (test/e2e/airflow-*.test.ts: Airflow 2.10, Ocean provider)
#   .venv/airflow3       requirements-airflow3.txt       (test/e2e/airflow-*.test.ts: Airflow 3.1)
#   .venv/airflow3-ocean requirements-airflow3-ocean.txt (test/e2e/airflow-ocean*.test.ts: Airflow 3.1, Ocean
#                                                         provider, which needs websockets<14; pyspark 3.5
#                                                         for its Connect hook)
#   .venv/airflow2-connect requirements-airflow2-connect.txt (test/e2e/airflow-ocean-connect.test.ts: Airflow 2.10,
#                                                         the Ocean provider's Connect hook, which needs pyspark 3.5)
#   .venv/ocean-connect  requirements-ocean-connect.txt  (test/integration/sessions-spark.test.ts: ocean-spark-connect, pyspark 3.5)
#   .venv/dbt            requirements-dbt.txt            (test/integration/sessions-dbt.test.ts: dbt-ocean-spark)
#   .venv/jupyter        requirements-jupyter.txt        (the notebook gateway the runtime runs, and the
#                                                         GatewayClient of test/integration/notebooks.test.ts)
# The packages of integrations/airflow/ are installed (not editable: as a deployment would) on top,
# again only when one of their files changed.
# They live under .venv/ (pyspark's, scripts/setup.sh's), which eslint, prettier, tsc, vitest and git
# already ignore; a new top-level venv would be linted (eslint . reads the .js files pip installs).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[python-envs] %s\n' "$*"; }
die() { printf '[python-envs] ERROR: %s\n' "$*" >&2; exit 1; }

# ensure_venv DIR REQUIREMENTS: DIR holds exactly the pins of REQUIREMENTS (a stamp of the file's
# hash and the Python version says so); otherwise (re)installs them.
ensure_venv() {
  local dir=$1 requirements=$2 stamp="$1/.sparkplane-requirements" want
  command -v python3 >/dev/null || die "Python 3 is not installed: $dir needs Python 3.11 or newer."
  want="$(sha256sum "$requirements" | cut -d' ' -f1) $(python3 -c 'import sys; print(sys.version.split()[0])')"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    say "$dir: up to date ($requirements)"
    return
  fi
  say "installing $requirements into $dir"
  # a venv of another Python (or a half-made one) is made anew rather than patched
  rm -rf "$dir"
  python3 -m venv "$dir" || die "python3 -m venv failed (apt-get install python3-venv)."
  local started=$SECONDS
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
  echo "$want" > "$stamp"
  say "$dir: installed in $((SECONDS - started)) s"
}

# ensure_package VENV DIR: the local package in DIR is installed in VENV as its files are now.
ensure_package() {
  local venv=$1 dir=$2 stamp want
  stamp="$venv/.sparkplane-$(basename "$dir")"
  want=$(find "$dir" -type f ! -path '*/__pycache__/*' ! -path '*.egg-info/*' ! -path '*/build/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    say "$venv: $dir up to date"
    return
  fi
  say "installing $dir into $venv"
  # no build isolation: setuptools and wheel come from the venv's pins, nothing else is fetched
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps --no-build-isolation --force-reinstall "./$dir"
  rm -rf "$dir/build" "$dir"/src/*.egg-info
  echo "$want" > "$stamp"
}

# Two lanes at once: an install is mostly one core's work (unpacking, byte-compiling), and this
# machine has two. The pyspark 3.5 venvs share a lane, so that its wheel is built once and then
# taken from pip's cache. Each lane's output is printed once it ends.
lane_a() {
  ensure_venv .venv/airflow2-connect requirements-airflow2-connect.txt
  ensure_package .venv/airflow2-connect integrations/airflow/sparkplane-ocean-compat
  ensure_venv .venv/airflow3-ocean requirements-airflow3-ocean.txt
  ensure_package .venv/airflow3-ocean integrations/airflow/sparkplane-ocean-compat
  ensure_venv .venv/ocean-connect requirements-ocean-connect.txt
  ensure_venv .venv/jupyter requirements-jupyter.txt
}
lane_b() {
  ensure_venv .venv/dbt requirements-dbt.txt
  ensure_venv .venv/airflow2 requirements-airflow2.txt
  ensure_package .venv/airflow2 integrations/airflow/sparkplane-ocean-compat
  ensure_package .venv/airflow2 integrations/airflow/airflow-provider-sparkplane
  ensure_venv .venv/airflow3 requirements-airflow3.txt
  ensure_package .venv/airflow3 integrations/airflow/airflow-provider-sparkplane
  # here rather than in lane a, which now installs the third pyspark 3.5 venv (airflow3-ocean)
  ensure_venv .venv/schemathesis requirements-schemathesis.txt
}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
(lane_a) >"$logs/a" 2>&1 &
lane_a_pid=$!
(lane_b) >"$logs/b" 2>&1 &
lane_b_pid=$!
failed=0
wait "$lane_a_pid" || failed=1
cat "$logs/a"
wait "$lane_b_pid" || failed=1
cat "$logs/b"
[ "$failed" = 0 ] || die "a virtual environment could not be installed (its lane's output is above)"
