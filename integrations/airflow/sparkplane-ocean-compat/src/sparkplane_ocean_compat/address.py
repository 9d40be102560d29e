"""Where sparkplane answers for a connection, and how a hosted-product URL maps onto it.

Pure functions (no Airflow import), so that they are tested on their own.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional
from urllib.parse import quote, urlsplit

# The addresses ocean-spark-airflow-provider 1.1 hard-codes (ocean_spark/hooks.py, connect/hook.py).
HOSTED_API = "https://api.spotinst.io/ocean/spark/"
HOSTED_CONNECT = "wss://api.spotinst.io/ocean/spark/"
HOSTED_CONSOLE = "https://console.spotinst.com/ocean/spark/"

ENV_VAR = "SPARKPLANE_URL"
EXTRA_FIELD = "sparkplane_url"


class SparkplaneAddressError(ValueError):
    """A configured sparkplane address that is not an http(s) URL."""


def sparkplane_url(extra: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The sparkplane base URL (no trailing slash) for a connection, or None for the hosted product.

    The connection's extra field ``sparkplane_url`` wins over the ``SPARKPLANE_URL`` environment
    variable, so one deployment can reach several sparkplane runtimes (one per connection).
    """
    value = extra.get(EXTRA_FIELD) or environ.get(ENV_VAR)
    if not value:
        return None
    source = f"the connection's extra field {EXTRA_FIELD!r}" if extra.get(EXTRA_FIELD) else ENV_VAR
    if not isinstance(value, str):
        raise SparkplaneAddressError(f"{source} is {value!r}: expected a URL such as https://sparkplane.example.com")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SparkplaneAddressError(
            f"{source} is {value!r}: expected an http(s) URL with a host and no query, such as https://sparkplane.example.com"
        )
    return value.rstrip("/")


def api_url(url: str, base: str) -> str:
    """A hosted API URL rewritten onto sparkplane's Ocean-compatible API (``<base>/ocean/spark/``)."""
    return _rebase(url, HOSTED_API, f"{base}/ocean/spark/")


def connect_url(url: str, base: str) -> str:
    """A hosted Spark Connect websocket URL rewritten onto sparkplane (ws for http, wss for https)."""
    scheme = "wss" if base.startswith("https:") else "ws"
    return _rebase(url, HOSTED_CONNECT, f"{scheme}{base[base.index(':'):]}/ocean/spark/")


def dashboard_url(base: str, app_id: str) -> str:
    """The application's page in sparkplane's dashboards."""
    return f"{base}/applications/{quote(app_id, safe='')}"


def _rebase(url: str, hosted: str, target: str) -> str:
    # anything not under the hosted address (a test double, a future provider) is left alone
    return target + url[len(hosted) :] if url.startswith(hosted) else url
