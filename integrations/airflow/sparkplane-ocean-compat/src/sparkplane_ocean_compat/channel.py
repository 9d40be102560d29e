"""The Connect hook's channel, ready before its first call.

``OceanSparkConnectHook.execute`` starts its websocket relay (inverse websockify) in a child process
and builds the Spark session at once, so the first ExecutePlan can find the relay's unix socket not
listening yet. gRPC fails that call fast with UNAVAILABLE, before it reached Spark, and pyspark 3.5
retries it as a ReattachExecute, and starts over with ExecutePlan only on OPERATION_NOT_FOUND
(client/reattach.py). Spark 4 answers INVALID_HANDLE.SESSION_NOT_FOUND instead (the call that
would have made the session never reached it), and the task fails. Waiting for the channel to connect before pyspark uses it closes that window.
"""

from __future__ import annotations

from typing import Any

# the relay is a fresh Python process that imports asyncio and websockets before it listens
READY_SECONDS = 60.0


def wait_until_ready(channel: Any, where: str, seconds: float = READY_SECONDS) -> None:
    """Returns once `channel` has connected; closes it and raises ConnectionError after `seconds`."""
    import grpc

    try:
        grpc.channel_ready_future(channel).result(timeout=seconds)
    except grpc.FutureTimeoutError:
        channel.close()
        raise ConnectionError(
            f"the Spark Connect channel to {where} did not connect within {seconds:g} s: "
            "the hook's websocket relay did not start, or cannot reach the session"
        ) from None

