"""The Airflow 2 name ocean-spark-airflow-provider 1.1 imports and Airflow 3 moved, given back before
the provider imports it.

``ocean_spark/extra_links.py`` (imported by ``ocean_spark/__init__.py``, so by the provider's
``get_provider_info`` entry point and by every DAG) does
``from airflow.models.baseoperator import BaseOperator, BaseOperatorLink``. Airflow 3 keeps
``airflow.models.baseoperator`` as a module of deprecated names, without ``BaseOperatorLink``
(now ``airflow.sdk.BaseOperatorLink``). That import runs before any Airflow plugin is loaded, so
``sparkplane_ocean_compat.pth`` (run by the interpreter at start) calls ``install()``: a finder
that, when ``ocean_spark.extra_links`` is first looked for, puts the name where the provider looks
and then steps aside. Importing Airflow is left until then, so other programs of the environment
start as fast as before. On Airflow 2 the name is there and nothing changes.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from typing import Any, Optional, Sequence

PROVIDER_MODULE = "ocean_spark.extra_links"
OLD_MODULE = "airflow.models.baseoperator"
NAME = "BaseOperatorLink"


def provide_base_operator_link() -> bool:
    """Puts ``airflow.sdk.BaseOperatorLink`` on ``airflow.models.baseoperator`` if it is missing
    there (Airflow 3); answers whether it did."""
    try:
        from airflow.sdk import BaseOperatorLink
    except ImportError:  # Airflow 2: its baseoperator module has the name
        return False
    # on Airflow 3, importing airflow.models makes this module of deprecated names
    old = importlib.import_module(OLD_MODULE)
    if NAME in vars(old):
        return False
    setattr(old, NAME, BaseOperatorLink)
    return True


class _BeforeProvider(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Optional[Sequence[str]], target: Any = None) -> None:
        if fullname == PROVIDER_MODULE:
            sys.meta_path.remove(self)
            provide_base_operator_link()
        return None  # the usual finders load the provider's module, unchanged


def install() -> None:
    """Runs provide_base_operator_link() just before the provider's module is first imported."""
    if PROVIDER_MODULE in sys.modules:
        provide_base_operator_link()
    elif not any(isinstance(finder, _BeforeProvider) for finder in sys.meta_path):
        sys.meta_path.insert(0, _BeforeProvider())
