"""The trigger a deferred SparkplaneSubmitOperator waits on: polls the application until it ends."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Dict, Tuple

from airflow.triggers.base import BaseTrigger, TriggerEvent

from sparkplane_provider.application import is_terminal


class SparkplaneApplicationTrigger(BaseTrigger):
    """Fires once the application is in a terminal state (``{"status": "ended", "application": ...}``),
    or when it cannot be read (``{"status": "error", "message": ...}``).

    :param application_id: the sparkplane application.
    :param sparkplane_conn_id: the connection.
    :param poll_interval_seconds: between two reads.
    """

    def __init__(self, application_id: str, sparkplane_conn_id: str, poll_interval_seconds: float) -> None:
        super().__init__()
        self.application_id = application_id
        self.sparkplane_conn_id = sparkplane_conn_id
        self.poll_interval_seconds = poll_interval_seconds

    def serialize(self) -> Tuple[str, Dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "application_id": self.application_id,
                "sparkplane_conn_id": self.sparkplane_conn_id,
                "poll_interval_seconds": self.poll_interval_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from sparkplane_provider.hooks.sparkplane import SparkplaneHook

        try:
            # the hook's connection look-up and requests are blocking: off the triggerer's event loop
            hook = await asyncio.to_thread(SparkplaneHook, self.sparkplane_conn_id)
            while True:
                application = await asyncio.to_thread(hook.get_application, self.application_id)
                if is_terminal(application):
                    yield TriggerEvent({"status": "ended", "application": application})
                    return
                self.log.info("sparkplane application %s is %s", self.application_id, application.get("state"))
                await asyncio.sleep(self.poll_interval_seconds)
        except Exception as error:  # noqa: BLE001 - the task reports it, with the application's id
            yield TriggerEvent({"status": "error", "application_id": self.application_id, "message": str(error)})
