"""The real PySpark Spark Connect client, driven by test/support/spark-connect.ts.

Reads one JSON command a line on stdin, answers one JSON line on stdout:
  {"op": "ping"}                                          -> {"ok": true} (once the client is loaded)
  {"op": "connect", "name": n, "url": "sc://..."}        -> {"ok": true}
  {"op": "sql", "name": n, "sql": q, "reattachable": b}  -> {"ok": true, "rows": [...], "seconds": s}
A refused or failed call answers {"ok": false, "status": "<gRPC status name>", "message": ...}.
"""

import json
import re
import sys
import time

import grpc
import pyspark.sql.connect.session  # noqa: F401  (loaded now: pandas, pyarrow and grpc take seconds)
from pyspark.sql import SparkSession

sessions = {}


def grpc_status(error):
    """The gRPC status of a failed call: pyspark wraps the RpcError, which stays the context."""
    seen = error
    while seen is not None:
        if isinstance(seen, grpc.RpcError) and hasattr(seen, "code"):
            return seen.code().name, seen.details() or ""
        seen = seen.__cause__ or seen.__context__
    match = re.search(r"StatusCode\.(\w+)", str(error))
    return (match.group(1) if match else type(error).__name__), str(error)


def run(command):
    op = command["op"]
    if op == "ping":
        return {"ok": True}
    if op == "connect":
        sessions[command["name"]] = SparkSession.builder.remote(command["url"]).create()
        return {"ok": True}
    if op == "sql":
        spark = sessions[command["name"]]
        if not command.get("reattachable", True):
            # one ExecutePlan stream per query, which the server stops when the stream is cancelled
            spark._client.disable_reattachable_execute()
        started = time.perf_counter()
        rows = [list(row) for row in spark.sql(command["sql"]).collect()]
        return {"ok": True, "rows": rows, "seconds": time.perf_counter() - started}
    raise ValueError(f"unknown op {op!r}")


for line in sys.stdin:
    try:
        reply = run(json.loads(line))
    except Exception as error:  # every failure is an answer: the test asserts on it
        status, message = grpc_status(error)
        reply = {"ok": False, "status": status, "message": message}
    print(json.dumps(reply), flush=True)
