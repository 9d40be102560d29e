"""Runs unchanged ocean-spark-airflow-provider DAGs against sparkplane (see README.md)."""

from sparkplane_ocean_compat.address import HOSTED_API, HOSTED_CONSOLE, HOSTED_CONNECT, sparkplane_url
from sparkplane_ocean_compat.rebase import apply

__all__ = ["HOSTED_API", "HOSTED_CONSOLE", "HOSTED_CONNECT", "apply", "sparkplane_url"]
