"""The operator's link to the application's page in sparkplane's dashboards."""

from __future__ import annotations

from typing import Any

from sparkplane_provider._compat import BaseOperatorLink, XCom
from sparkplane_provider.application import XCOM_DASHBOARD_URL


class SparkplaneApplicationLink(BaseOperatorLink):
    name = "sparkplane application"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        # the operator pushed it on submission (the link needs the connection's base URL)
        return XCom.get_value(ti_key=ti_key, key=XCOM_DASHBOARD_URL) or ""
