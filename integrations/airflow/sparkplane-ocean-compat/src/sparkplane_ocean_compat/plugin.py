"""The Airflow plugin whose loading applies the rebase in every Airflow process."""

from airflow.plugins_manager import AirflowPlugin

from sparkplane_ocean_compat.rebase import apply


class SparkplaneOceanCompatPlugin(AirflowPlugin):
    name = "sparkplane_ocean_compat"

    @classmethod
    def on_load(cls, *args: object, **kwargs: object) -> None:
        apply()
