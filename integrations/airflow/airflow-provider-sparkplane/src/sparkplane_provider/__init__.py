"""Apache Airflow provider for sparkplane (see README.md)."""

from typing import Any, Dict

__version__ = "0.1.0"


def get_provider_info() -> Dict[str, Any]:
    return {
        "package-name": "airflow-provider-sparkplane",
        "name": "sparkplane",
        "description": "Submit Spark applications to sparkplane, wait for them and kill them.",
        "versions": [__version__],
        "connection-types": [
            {"connection-type": "sparkplane", "hook-class-name": "sparkplane_provider.hooks.sparkplane.SparkplaneHook"}
        ],
        "extra-links": ["sparkplane_provider.links.SparkplaneApplicationLink"],
    }
