"""Against a live sparkplane (the connection sparkplane_default, as test/e2e/airflow-native.test.ts
sets it): a deferred submission whose wait timed out kills its application when Airflow resumes
the task to fail it. `dags test` runs triggers inline without their timeout, so this resumes the
operator as the task runner does, with the marker Airflow uses."""

import pytest
from airflow.exceptions import AirflowException

from sparkplane_provider.application import XCOM_APPLICATION_ID
from sparkplane_provider.hooks.sparkplane import SparkplaneHook
from sparkplane_provider.operators.sparkplane import TRIGGER_FAILED, SparkplaneSubmitOperator


class TaskInstance:
    """What resume_execution reads of the task instance: the XCom its execute() pushed."""

    def __init__(self, xcom):
        self.xcom = xcom

    def xcom_pull(self, task_ids, key):
        assert task_ids == "long-running"
        return self.xcom[key]


def test_a_timed_out_deferral_kills_the_application():
    hook = SparkplaneHook()
    application, created = hook.submit_application("long-running", idempotency_key="deferred-timeout-test")
    assert created and application["state"] in ("NEW", "PENDING", "RUNNING")
    operator = SparkplaneSubmitOperator(task_id="long-running", job_id="long-running", deferrable=True)
    context = {"ti": TaskInstance({XCOM_APPLICATION_ID: application["id"]})}
    # Airflow 3 raises TaskDeferralTimeout, Airflow 2.10 TaskDeferralError: both name the timeout
    with pytest.raises(AirflowException, match="Trigger timeout"):
        operator.resume_execution(TRIGGER_FAILED, {"error": "Trigger timeout"}, context)
    assert hook.get_application(application["id"])["state"] == "KILLED"
