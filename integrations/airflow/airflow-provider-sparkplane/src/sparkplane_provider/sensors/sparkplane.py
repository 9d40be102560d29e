"""SparkplaneApplicationSensor: waits for an application someone else submitted to end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from airflow.exceptions import AirflowException

from sparkplane_provider._compat import BaseSensorOperator
from sparkplane_provider.application import describe_end, is_terminal, succeeded
from sparkplane_provider.hooks.sparkplane import SparkplaneHook

if TYPE_CHECKING:
    from airflow.utils.context import Context


class SparkplaneApplicationSensor(BaseSensorOperator):
    """Pokes until the application ends: done when it COMPLETED (with or without warnings), failed
    when it ended otherwise (FAILED, KILLED, TIMED_OUT), so that a broken upstream run is not
    waited on until the sensor's timeout.

    :param application_id: the sparkplane application (templated), e.g.
        ``{{ ti.xcom_pull(task_ids='submit', key='application_id') }}``.
    :param sparkplane_conn_id: the connection. @default ``sparkplane_default``
    """

    template_fields: Sequence[str] = ("application_id",)

    def __init__(
        self, *, application_id: str, sparkplane_conn_id: str = SparkplaneHook.default_conn_name, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.application_id = application_id
        self.sparkplane_conn_id = sparkplane_conn_id

    def poke(self, context: Context) -> bool:
        application = SparkplaneHook(self.sparkplane_conn_id).get_application(self.application_id)
        if not is_terminal(application):
            self.log.info("sparkplane application %s is %s", self.application_id, application.get("state"))
            return False
        if succeeded(application):
            self.log.info("%s", describe_end(application))
            return True
        raise AirflowException(describe_end(application))
