#!/usr/bin/env bash
# Installs what sparkplane needs on this machine, only what is missing; safe to re-run.
#   scripts/setup.sh          npm packages, Java check, pinned pyspark in .venv
#   scripts/setup.sh --test   also PostgreSQL and Chromium (Debian packages), PostgreSQL started
# Writes .sparkplane/env.sh (SPARK_HOME, JAVA_HOME, PYSPARK_PYTHON) for the rest of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# --- Node.js -----------------------------------------------------------------------------------
command -v node >/dev/null || die "Node.js is not installed: sparkplane needs Node.js 20.19 or newer."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $(node --version) is too old: sparkplane needs 20.19 or newer."

# --- Java 17+ ----------------------------------------------------------------------------------
java_bin=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java_bin="$JAVA_HOME/bin/java"; fi
[ -z "$java_bin" ] && command -v java >/dev/null && java_bin=$(readlink -f "$(command -v java)")
[ -n "$java_bin" ] || die "Java is not installed: Spark needs Java 17 or newer (apt-get install openjdk-17-jre-headless)."
java_major=$("$java_bin" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)
[ "${java_major:-0}" -ge 17 ] 2>/dev/null || die "Java at $java_bin is version ${java_major:-unknown}: Spark needs 17 or newer (set JAVA_HOME)."
java_home=$(dirname "$(dirname "$java_bin")")

# --- npm packages ------------------------------------------------------------------------------
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.sparkplane-lock 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm packages (the versions pinned in package-lock.json)"
  # not `npm ci`: the registry reachable here lacks some optional platform binaries of other
  # operating systems that the lock lists (e.g. rollup's android builds), and npm ci refuses that
  npm install --no-save --no-audit --no-fund
  echo "$lock_hash" > node_modules/.sparkplane-lock
else
  say "npm packages: up to date"
fi

# --- the CLI, compiled so that `sparkplane` starts without transpiling TypeScript --------------
# always: it takes well under a second, and bin/sparkplane.js runs the sources while it is stale
say "building the CLI (scripts/build-cli.mjs)"
node scripts/build-cli.mjs >/dev/null

# --- the web dashboards, built into runtime/ui/dist (served by the runtime at /) ---------------
# rebuilt only when their sources, the domain types they read or the lock changed
ui_hash=$(cat package-lock.json $(find ui runtime/domain -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.css' -o -name '*.html' -o -name '*.json' \) | sort) | sha256sum | cut -d' ' -f1)
if [ -f runtime/ui/dist/index.html ] && [ "$(cat runtime/ui/dist/.sparkplane-build 2>/dev/null)" = "$ui_hash" ]; then
  say "dashboards: up to date (runtime/ui/dist)"
else
  say "building the dashboards (npm run build:ui)"
  npm run --silent build:ui
  echo "$ui_hash" > runtime/ui/dist/.sparkplane-build
fi

# --- pyspark in a project-local virtual environment -------------------------------------------
# pyspark and its Spark Connect client's packages, (re)installed when requirements-spark.txt changed
# since the last install (the stamp holds its hash)
spark_pin=$(grep -E '^pyspark==' requirements-spark.txt | cut -d= -f3)
spark_stamp=.venv/.sparkplane-requirements
spark_want=$(sha256sum requirements-spark.txt | cut -d' ' -f1)
have_spark=$(.venv/bin/python -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null || true)
if [ "$have_spark" != "$spark_pin" ] || [ "$(cat "$spark_stamp" 2>/dev/null)" != "$spark_want" ]; then
  command -v python3 >/dev/null || die "Python 3 is not installed: pyspark needs Python 3.9 or newer."
  say "installing pyspark $spark_pin and requirements-spark.txt into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv || die "python3 -m venv failed (apt-get install python3-venv)."
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-spark.txt
  echo "$spark_want" > "$spark_stamp"
else
  say "pyspark $spark_pin and its Spark Connect client: installed"
fi
spark_home=$(.venv/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
[ -x "$spark_home/bin/spark-submit" ] || die "pyspark at $spark_home has no bin/spark-submit."

mkdir -p .sparkplane
cat > .sparkplane/env.sh <<ENV
export SPARK_HOME="$spark_home"
export JAVA_HOME="$java_home"
export PYSPARK_PYTHON="$root/.venv/bin/python"
export SPARKPLANE_TEST_DATABASE_URL="$(bash scripts/postgres.sh url)"
export SPARKPLANE_CHROMIUM=/usr/bin/chromium
export SPARKPLANE_FIREFOX=/usr/bin/firefox-esr
ENV

# --- test dependencies: PostgreSQL, Chromium and Firefox ESR from Debian ----------------------
if $want_test; then
  missing=()
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
  if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them."
    say "installing ${missing[*]} (apt-get)"
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "PostgreSQL, Chromium and Firefox ESR: installed"
  fi
  bash scripts/postgres.sh start
  bash scripts/python-envs.sh  # pinned venvs: .venv/schemathesis, .venv/airflow2, .venv/airflow3 (test/e2e), .venv/jupyter (notebooks), .venv/dbt (sql sessions)
fi
say "ready (environment in .sparkplane/env.sh)"
