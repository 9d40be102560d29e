"""What the provider reads of a sparkplane application, and the idempotency key of a task try.

Pure (no Airflow import): tested on its own.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

# the native API's terminal states (runtime/domain/states.ts)
SUCCEEDED = frozenset({"COMPLETED", "COMPLETED_WITH_WARNINGS"})
ENDED_BADLY = frozenset({"FAILED", "KILLED", "TIMED_OUT"})
TERMINAL = SUCCEEDED | ENDED_BADLY

XCOM_APPLICATION_ID = "application_id"
XCOM_DASHBOARD_URL = "dashboard_url"


def is_terminal(application: Mapping[str, Any]) -> bool:
    return application.get("state") in TERMINAL


def succeeded(application: Mapping[str, Any]) -> bool:
    return application.get("state") in SUCCEEDED


def describe_end(application: Mapping[str, Any]) -> str:
    reason = application.get("stateReason")
    return f"sparkplane application {application.get('id')} ended {application.get('state')}" + (
        f": {reason}" if reason else ""
    )


def idempotency_key(dag_id: str, task_id: str, run_id: str, map_index: int, try_number: int) -> str:
    """One key per task try: the same try submitted again (a lost answer, a re-run of the same try)
    gets the application it made; the next try (an Airflow retry) gets a new one.

    Hashed, so that long ids stay within the API's 200 characters, with a readable prefix.
    """
    identity = "\x1f".join([dag_id, task_id, run_id, str(map_index), str(try_number)])
    return f"airflow-{hashlib.sha256(identity.encode()).hexdigest()}"
