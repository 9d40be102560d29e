"""The Spark Connect DAG of ocean-spark-airflow-provider 1.1.4's README, as it writes it: it knows
nothing of sparkplane. Its OceanSparkConnectOperator runs the `sql` of the DAG run's conf through
OceanSparkConnectHook and the connection `ocean_spark_connect_default` (host = cluster id,
login = account id, password = token, schema = the session's application id); only that
connection and SPARKPLANE_URL differ from a hosted deployment."""

from airflow import DAG, utils
from ocean_spark.operators import (
    OceanSparkConnectOperator,
)

args = {
    "owner": "airflow",
    "depends_on_past": False,
    "start_date": utils.dates.days_ago(0, second=1),
}


dag = DAG(dag_id="spark-connect-task", default_args=args, schedule_interval=None)

spark_pi_task = OceanSparkConnectOperator(
    task_id="spark-connect",
    dag=dag,
)
