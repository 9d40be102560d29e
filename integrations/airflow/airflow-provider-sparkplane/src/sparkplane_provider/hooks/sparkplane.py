"""A hook over sparkplane's native API (/api/v1)."""

from __future__ import annotations

import time
from typing import Any, Dict, Optional, Tuple
from urllib.parse import quote

import requests
from airflow import __version__ as airflow_version
from airflow.exceptions import AirflowException

from sparkplane_provider import __version__
from sparkplane_provider._compat import BaseHook

# a transient answer: the same request may succeed later (submissions carry an idempotency key)
RETRIED_STATUSES = frozenset({429, 502, 503, 504})


class SparkplaneHook(BaseHook):
    """Talks to one sparkplane runtime.

    The ``sparkplane`` connection: host = the runtime's base URL (``https://sparkplane.example.com``;
    ``https://`` is assumed without a scheme, and a port field is appended), password = an API token,
    schema = the default cluster id (used when an operator names none).

    :param sparkplane_conn_id: the connection. @default ``sparkplane_default``
    :param timeout_seconds: per HTTP request. @default 60
    :param retry_limit: attempts of a request that met a connection error or a 429/502/503/504. @default 3
    :param retry_delay_seconds: between two attempts. @default 1.0
    """

    conn_name_attr = "sparkplane_conn_id"
    default_conn_name = "sparkplane_default"
    conn_type = "sparkplane"
    hook_name = "sparkplane"

    def __init__(
        self,
        sparkplane_conn_id: str = default_conn_name,
        timeout_seconds: float = 60,
        retry_limit: int = 3,
        retry_delay_seconds: float = 1.0,
    ) -> None:
        super().__init__()
        if retry_limit < 1:
            raise ValueError(f"retry_limit is {retry_limit}: expected 1 or more")
        self.sparkplane_conn_id = sparkplane_conn_id
        self.timeout_seconds = timeout_seconds
        self.retry_limit = retry_limit
        self.retry_delay_seconds = retry_delay_seconds
        conn = self.get_connection(sparkplane_conn_id)
        self.base_url = base_url(conn.host, conn.port, sparkplane_conn_id)
        self.token: str = conn.password or ""
        self.default_cluster: Optional[str] = conn.schema or None
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {self.token}",
                "User-Agent": f"airflow-provider-sparkplane/{__version__} airflow/{airflow_version}",
                "Accept": "application/json",
            }
        )

    @staticmethod
    def get_ui_field_behaviour() -> Dict[str, Any]:
        return {
            "hidden_fields": ["login", "port", "extra"],
            "relabeling": {"host": "Base URL", "password": "API token", "schema": "Default cluster"},
            "placeholders": {
                "host": "https://sparkplane.example.com",
                "password": "a sparkplane token (applications:create, applications:read, applications:kill)",
                "schema": "the cluster id used when a task names none, e.g. prod",
            },
        }

    def get_conn(self) -> requests.Session:
        return self._session

    def cluster_for(self, cluster_id: Optional[str]) -> str:
        cluster = cluster_id or self.default_cluster
        if not cluster:
            raise AirflowException(
                f"no cluster: the task names none and connection {self.sparkplane_conn_id!r} has no default "
                "cluster (its schema field)"
            )
        return cluster

    def submit_application(
        self,
        job_id: str,
        *,
        cluster_id: Optional[str] = None,
        app_id: Optional[str] = None,
        config_template_id: Optional[str] = None,
        config_overrides: Optional[Dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Tuple[Dict[str, Any], bool]:
        """POST /applications; returns the application and whether this call created it (201) or
        found the one made earlier with the same id or idempotency key (200)."""
        body: Dict[str, Any] = {"clusterId": self.cluster_for(cluster_id), "jobId": job_id}
        if app_id is not None:
            body["appId"] = app_id
        if config_template_id is not None:
            body["configTemplateId"] = config_template_id
        if config_overrides is not None:
            body["configOverrides"] = config_overrides
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        response = self._call("POST", "/applications", json=body, headers=headers)
        return response.json(), response.status_code == 201

    def get_application(self, app_id: str) -> Dict[str, Any]:
        return self._call("GET", f"/applications/{quote(app_id, safe='')}").json()

    def kill_application(self, app_id: str) -> Dict[str, Any]:
        """DELETE /applications/{id}: KILLED, or the application unchanged when it had ended."""
        return self._call("DELETE", f"/applications/{quote(app_id, safe='')}").json()

    def driver_log(self, app_id: str) -> str:
        return self._call("GET", f"/applications/{quote(app_id, safe='')}/log").text

    def dashboard_url(self, app_id: str) -> str:
        """The application's page in sparkplane's dashboards."""
        return f"{self.base_url}/applications/{quote(app_id, safe='')}"

    def test_connection(self) -> Tuple[bool, str]:
        try:
            me = self._call("GET", "/whoami").json()
            if self.default_cluster:
                self._call("GET", f"/clusters/{quote(self.default_cluster, safe='')}")
        except AirflowException as error:
            return False, str(error)
        return True, f"Connected to {self.base_url} as {me.get('name')}"

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}/api/v1{path}"
        for attempt in range(1, self.retry_limit + 1):
            try:
                response = self._session.request(method, url, timeout=self.timeout_seconds, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                failure = f"sparkplane {method} {url} failed: {error}"
            else:
                if response.ok:
                    return response
                failure = problem_message(method, url, response)
                if response.status_code not in RETRIED_STATUSES:
                    raise AirflowException(failure)
            self.log.warning("attempt %d of %d: %s", attempt, self.retry_limit, failure)
            if attempt < self.retry_limit:
                time.sleep(self.retry_delay_seconds)
        raise AirflowException(f"{failure} ({self.retry_limit} attempts)")


def base_url(host: Optional[str], port: Optional[int], conn_id: str) -> str:
    """The runtime's base URL from a connection's host (a URL or a host name) and port."""
    if not host:
        raise AirflowException(
            f"connection {conn_id!r} has no host: expected sparkplane's base URL, e.g. https://sparkplane.example.com"
        )
    url = host if "://" in host else f"https://{host}"
    if not url.startswith(("http://", "https://")):
        raise AirflowException(f"connection {conn_id!r} has host {host!r}: expected an http:// or https:// URL")
    url = url.rstrip("/")
    return f"{url}:{port}" if port else url


def problem_message(method: str, url: str, response: requests.Response) -> str:
    """The API's problem document (title, detail, invalid fields) as one line."""
    try:
        problem = response.json()
    except ValueError:
        return f"sparkplane {method} {url} answered {response.status_code}: {response.text[:500]}"
    detail = f"{problem.get('title')}: {problem.get('detail')}" if isinstance(problem, dict) else str(problem)
    fields = problem.get("errors") if isinstance(problem, dict) else None
    if fields:
        detail += " (" + "; ".join(f"{e.get('path')}: {e.get('message')}" for e in fields) + ")"
    return f"sparkplane {method} {url} answered {response.status_code}: {detail}"
