#!/usr/bin/env bash
# The README's two commands.
#   scripts/dev.sh demo   set up, start the runtime (SQLite, local Spark), run the example job
#   scripts/dev.sh test   set up (with PostgreSQL and Chromium) and run the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  demo)
    bash scripts/setup.sh
    . .sparkplane/env.sh
    exec bash scripts/demo.sh
    ;;
  test)
    bash scripts/setup.sh --test
    . .sparkplane/env.sh
    exec npm test
    ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
