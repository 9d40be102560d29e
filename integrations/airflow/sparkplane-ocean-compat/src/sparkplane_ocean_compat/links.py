"""The console link of OceanSparkOperator and OceanSparkConnectOperator, as the Airflow 2 webserver
resolves it.

The provider's OceanSparkApplicationOverviewLink reads its XCom by the task's start_date and no
DAG or run, so the webserver (which asks a deserialized operator) finds no URL. A plugin's
operator link of the same name replaces it on the operators it names when the webserver
deserializes them, and reads the URL the operator pushed for that very task instance: the
sparkplane dashboard page for a sparkplane connection, the hosted console's otherwise. (The
Connect operator pushes it only through the shim: rebase.py.)
"""

from __future__ import annotations

from typing import Any

from airflow.models.baseoperatorlink import BaseOperatorLink
from airflow.models.xcom import XCom
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
