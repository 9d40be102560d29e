"""SparkplaneSubmitOperator: submits a job's application and waits for its end."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence

from airflow.exceptions import AirflowException

from sparkplane_provider._compat import BaseOperator
from sparkplane_provider.application import (
    XCOM_APPLICATION_ID,
    XCOM_DASHBOARD_URL,
    describe_end,
    idempotency_key,
    is_terminal,
    succeeded,
)
from sparkplane_provider.hooks.sparkplane import SparkplaneHook
from sparkplane_provider.links import SparkplaneApplicationLink
from sparkplane_provider.triggers.sparkplane import SparkplaneApplicationTrigger

if TYPE_CHECKING:
    from airflow.utils.context import Context

# the marker Airflow resumes a deferred task with when its trigger failed or timed out
TRIGGER_FAILED = "__fail__"


class SparkplaneSubmitOperator(BaseOperator):
    """Submits an application of ``job_id`` to sparkplane and waits until it ends.

    The task succeeds when the application ends COMPLETED or COMPLETED_WITH_WARNINGS, and fails
    otherwise, with the driver log in the task log. The submission carries an idempotency key of
    the task try (dag, task, run, map index, try number): the same try submitted again gets the
    application it made, never a second run; a retry (the next try) submits a new one. A killed or
    timed-out task kills its application. XCom: ``application_id``, ``dashboard_url``, and the
    application id as the return value.

    :param job_id: the sparkplane job (templated).
    :param cluster_id: the cluster (templated). @default the connection's default cluster
    :param app_id: the application's id (templated). @default chosen by sparkplane, unique per job
    :param config_template_id: a config template of the cluster (templated). @default none
    :param config_overrides: the application config that wins over everything else (templated).
        @default none
    :param sparkplane_conn_id: the connection. @default ``sparkplane_default``
    :param deferrable: wait in the triggerer instead of a worker slot. @default False
    :param poll_interval_seconds: between two reads of the application's state. @default 10
    :param forward_driver_log: copy the driver log into the task log when the application fails.
        @default True
    """

    template_fields: Sequence[str] = ("job_id", "cluster_id", "app_id", "config_template_id", "config_overrides")
    template_fields_renderers = {"config_overrides": "json"}
    operator_extra_links = (SparkplaneApplicationLink(),)
    ui_color = "#fde7c8"

    def __init__(
        self,
        *,
        job_id: str,
        cluster_id: Optional[str] = None,
        app_id: Optional[str] = None,
        config_template_id: Optional[str] = None,
        config_overrides: Optional[Dict[str, Any]] = None,
        sparkplane_conn_id: str = SparkplaneHook.default_conn_name,
        deferrable: bool = False,
        poll_interval_seconds: float = 10,
        forward_driver_log: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if poll_interval_seconds <= 0:
            raise ValueError(f"poll_interval_seconds is {poll_interval_seconds}: expected more than 0")
        self.job_id = job_id
        self.cluster_id = cluster_id
        self.app_id = app_id
        self.config_template_id = config_template_id
        self.config_overrides = config_overrides
        self.sparkplane_conn_id = sparkplane_conn_id
        self.deferrable = deferrable
        self.poll_interval_seconds = poll_interval_seconds
        self.forward_driver_log = forward_driver_log
        # set once submitted: what on_kill stops
        self.application_id: Optional[str] = None

    def hook(self) -> SparkplaneHook:
        return SparkplaneHook(self.sparkplane_conn_id)

    def execute(self, context: Context) -> str:
        hook = self.hook()
        ti = context["ti"]
        key = idempotency_key(ti.dag_id, ti.task_id, ti.run_id, ti.map_index, ti.try_number)
        application, created = hook.submit_application(
            self.job_id,
            cluster_id=self.cluster_id,
            app_id=self.app_id,
            config_template_id=self.config_template_id,
            config_overrides=self.config_overrides,
            idempotency_key=key,
        )
        self.application_id = application["id"]
        dashboard = hook.dashboard_url(application["id"])
        ti.xcom_push(key=XCOM_APPLICATION_ID, value=application["id"])
        ti.xcom_push(key=XCOM_DASHBOARD_URL, value=dashboard)
        self.log.info(
            "%s sparkplane application %s (idempotency key %s): %s",
            "Submitted" if created else "This try had already submitted",
            application["id"],
            key,
            dashboard,
        )
        if self.deferrable and not is_terminal(application):
            self.defer(
                trigger=SparkplaneApplicationTrigger(
                    application["id"], self.sparkplane_conn_id, self.poll_interval_seconds
                ),
                method_name="execute_complete",
            )
        while not is_terminal(application):
            self.log.info("sparkplane application %s is %s", application["id"], application.get("state"))
            time.sleep(self.poll_interval_seconds)
            application = hook.get_application(application["id"])
        return self._ended(hook, application)

    def execute_complete(self, context: Context, event: Dict[str, Any]) -> str:
        hook = self.hook()
        if event["status"] != "ended":
            self.application_id = event.get("application_id")
            self._kill(hook)
            raise AirflowException(f"lost sight of sparkplane application {self.application_id}: {event['message']}")
        return self._ended(hook, event["application"])

    def resume_execution(self, next_method: str, next_kwargs: Optional[Dict[str, Any]], context: Context) -> Any:
        # the trigger timed out (an execution_timeout bounds a deferred wait too) or died: the task
        # fails, so its application stops, as on_kill stops it in a worker
        if next_method == TRIGGER_FAILED:
            self.application_id = context["ti"].xcom_pull(task_ids=self.task_id, key=XCOM_APPLICATION_ID)
            self._kill(self.hook())
        return super().resume_execution(next_method, next_kwargs, context)

    def on_kill(self) -> None:
        self._kill(self.hook())

    def _kill(self, hook: SparkplaneHook) -> None:
        if self.application_id is None:
            return
        try:
            application = hook.kill_application(self.application_id)
        except AirflowException as error:
            # the task is failing already: its own error is the one to see, this one is logged
            self.log.error("Could not kill sparkplane application %s: %s", self.application_id, error)
            return
        self.log.info("Killed sparkplane application %s: %s", self.application_id, application.get("state"))

    def _ended(self, hook: SparkplaneHook, application: Dict[str, Any]) -> str:
        if succeeded(application):
            self.log.info("%s", describe_end(application))
            return application["id"]
        if self.forward_driver_log:
            self.log.error("Driver log of sparkplane application %s:\n%s", application["id"], hook.driver_log(application["id"]))
        raise AirflowException(describe_end(application))

