#!/usr/bin/env bash
# The quick start's main job: start the runtime on the embedded defaults (SQLite, local Spark),
# submit the example job, wait for it to complete, and say where to look next.
# The service keeps running in the background; `scripts/demo.sh stop` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
data=./data
port=${SPARKPLANE_PORT:-8080}
mkdir -p "$data"

if [ "${1:-}" = "stop" ]; then
  [ -f "$data/serve.pid" ] && kill "$(cat "$data/serve.pid")" 2>/dev/null && echo "stopped" || echo "not running"
  rm -f "$data/serve.pid"
  exit 0
fi

# one admin token for this data dir, kept beside the database (the service stores only its hash)
[ -f "$data/admin-token" ] || { node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))' > "$data/admin-token"; chmod 600 "$data/admin-token"; }
export SPARKPLANE_ADMIN_TOKEN=$(cat "$data/admin-token")
export SPARKPLANE_TOKEN=$SPARKPLANE_ADMIN_TOKEN
export SPARKPLANE_URL=http://127.0.0.1:$port

if ! curl -fsS "$SPARKPLANE_URL/readyz" >/dev/null 2>&1; then
  echo "starting the runtime on $SPARKPLANE_URL (log: $data/serve.log)"
  nohup node bin/sparkplane.js serve --port "$port" --data-dir "$data" > "$data/serve.log" 2>&1 &
  echo $! > "$data/serve.pid"
  for _ in $(seq 1 60); do curl -fsS "$SPARKPLANE_URL/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$SPARKPLANE_URL/readyz" >/dev/null || { echo "the runtime did not start:"; tail -n 30 "$data/serve.log"; exit 1; }
fi

node bin/sparkplane.js submit -f examples/spark-pi.yaml --wait
node bin/sparkplane.js apps list --limit 5

cat <<MSG

The runtime is still running at $SPARKPLANE_URL (stop it with: scripts/demo.sh stop).
  Dashboards:      $SPARKPLANE_URL/       (sign in with the admin token below)
  API reference:   $SPARKPLANE_URL/docs   (OpenAPI: $SPARKPLANE_URL/openapi.json)
  Admin token:     $data/admin-token      (export SPARKPLANE_TOKEN=\$(cat $data/admin-token))
  CLI:             npx sparkplane apps list | apps get <id> | apps logs <id> | jobs list
  Ocean API:       $SPARKPLANE_URL/ocean/spark/cluster/local/app?accountId=<any>
  Data:            $data (SQLite database, event logs, driver logs)
MSG
