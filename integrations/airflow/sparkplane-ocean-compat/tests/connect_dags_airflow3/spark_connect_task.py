"""The Spark Connect DAG of ocean-spark-airflow-provider 1.1.4's README (../connect_dags) with only
the two lines Airflow 3 removed for every DAG changed as its upgrade guide says: `start_date` a
datetime instead of `airflow.utils.dates.days_ago`, and `schedule` instead of `schedule_interval`.
The operator, its arguments and the connection are the README's."""

from datetime import datetime

from airflow import DAG
from ocean_spark.operators import (
    OceanSparkConnectOperator,
)

args = {
    "owner": "airflow",
    "depends_on_past": False,
    "start_date": datetime(2026, 1, 1),
}


dag = DAG(dag_id="spark-connect-task", default_args=args, schedule=None)

spark_pi_task = OceanSparkConnectOperator(
    task_id="spark-connect",
    dag=dag,
)
