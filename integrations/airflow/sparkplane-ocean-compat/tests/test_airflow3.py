"""The provider imports on Airflow 2 and 3 alike, with the BaseOperatorLink this Airflow defines
(on Airflow 3, given back by sparkplane_ocean_compat.pth before ocean_spark.extra_links ran)."""

import sys

from sparkplane_ocean_compat import airflow3


def this_airflows_link():
    try:
        from airflow.sdk import BaseOperatorLink
    except ImportError:  # Airflow 2
        from airflow.models.baseoperatorlink import BaseOperatorLink
    return BaseOperatorLink


def test_the_provider_imports_with_this_airflows_link():
    from ocean_spark import extra_links

    assert extra_links.BaseOperatorLink is this_airflows_link()
    assert issubclass(extra_links.OceanSparkApplicationOverviewLink, this_airflows_link())


def test_the_finder_stepped_aside_once_the_provider_was_imported():
    import ocean_spark.extra_links  # noqa: F401

    airflow3.install()  # the provider is imported: nothing is left waiting for it
    assert not [finder for finder in sys.meta_path if isinstance(finder, airflow3._BeforeProvider)]
    assert airflow3.provide_base_operator_link() is False  # already there (or Airflow 2's own)
