"""The Airflow plugin whose loading applies the rebase in every Airflow process, and whose operator
link answers the webserver's console link lookups."""

from airflow.plugins_manager import AirflowPlugin

from sparkplane_ocean_compat.links import ApplicationOverviewLink
from sparkplane_ocean_compat.rebase import apply


class SparkplaneOceanCompatPlugin(AirflowPlugin):
    name = "sparkplane_ocean_compat"
    operator_extra_links = [ApplicationOverviewLink()]

    @classmethod
    def on_load(cls, *args: object, **kwargs: object) -> None:
        apply()
