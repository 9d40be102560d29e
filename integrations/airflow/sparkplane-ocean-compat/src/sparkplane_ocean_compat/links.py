"""The console link of OceanSparkOperator and OceanSparkConnectOperator, as the Airflow 2 webserver
and the Airflow 3 task runner resolve it.

The provider's OceanSparkApplicationOverviewLink reads its XCom by the task's start_date and no
DAG or run, so the webserver (which asks a deserialized operator) finds no URL. A plugin's
operator link of the same name replaces it on the operators it names when the webserver
deserializes them, and reads the URL the operator pushed for that very task instance: the
sparkplane dashboard page for a sparkplane connection, the hosted console's otherwise. (The
Connect operator pushes it only through the shim: rebase.py.)

Airflow 3 resolves each link of the operator itself when the task ends, and stores the URL as an
XCom its UI reads; the provider's link fails there (``XCom.get_one`` has no ``execution_date``), so
the operators get this link instead (use_in_airflow3_tasks).
"""

from __future__ import annotations

from typing import Any

from airflow.models.xcom import XCom

try:
    from airflow.sdk import BaseOperatorLink

    AIRFLOW_3 = True
except ImportError:  # Airflow 2
    from airflow.models.baseoperatorlink import BaseOperatorLink

    AIRFLOW_3 = False
from ocean_spark.extra_links import APP_PAGE_URL_KEY, OceanSparkApplicationOverviewLink
from ocean_spark.operators import OceanSparkOperator

try:
    from ocean_spark.connect.operator import OceanSparkConnectOperator

    _OPERATORS: list = [OceanSparkOperator, OceanSparkConnectOperator]
except ImportError:  # Airflow < 2.6.2 or no pyspark: the provider has no Connect operator either
    _OPERATORS = [OceanSparkOperator]


class ApplicationOverviewLink(BaseOperatorLink):
    name = OceanSparkApplicationOverviewLink.name
    operators = _OPERATORS

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return XCom.get_value(ti_key=ti_key, key=APP_PAGE_URL_KEY) or ""


def use_in_airflow3_tasks() -> None:
    """On Airflow 3, the operators' own link is this one (Airflow 2 keeps the provider's, which its
    webserver replaces through the plugin)."""
    if AIRFLOW_3:
        for operator in _OPERATORS:
            operator.operator_extra_links = (ApplicationOverviewLink(),)
