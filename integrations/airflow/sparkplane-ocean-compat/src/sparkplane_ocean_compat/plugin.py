"""The Airflow plugin whose loading applies the rebase in every Airflow process, and whose operator
link answers the Airflow 2 webserver's console link lookups (and Airflow 3 tasks' own)."""

from airflow.plugins_manager import AirflowPlugin

from sparkplane_ocean_compat.links import ApplicationOverviewLink, use_in_airflow3_tasks
from sparkplane_ocean_compat.rebase import apply


class SparkplaneOceanCompatPlugin(AirflowPlugin):
    name = "sparkplane_ocean_compat"
    operator_extra_links = [ApplicationOverviewLink()]

    @classmethod
    def on_load(cls, *args: object, **kwargs: object) -> None:
        apply()
        use_in_airflow3_tasks()
