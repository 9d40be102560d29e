"""An Ocean Spark DAG as the provider's README writes it (ocean-spark-airflow-provider 1.1.4): it
knows nothing of sparkplane. Only the Airflow connection `ocean_spark_default` (host = cluster id,
password = token) and SPARKPLANE_URL differ from a hosted deployment."""

from datetime import datetime

from airflow import DAG
from ocean_spark.operators import OceanSparkOperator

with DAG(
    dag_id="ocean_spark_example",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
) as dag:
    compute_pi = OceanSparkOperator(
        task_id="compute-pi",
        job_id="spark-pi",
        config_overrides={
            "type": "Python",
            "sparkVersion": "4.0.1",
            "mainApplicationFile": "local:///opt/spark/examples/src/main/python/pi.py",
            "arguments": ["10"],
            "driver": {"cores": 1},
            "executor": {"cores": 1, "instances": 1},
        },
        polling_period_seconds=1,
    )

    broken_etl = OceanSparkOperator(
        task_id="broken-etl",
        job_id="broken-etl",
        config_overrides={
            "type": "Python",
            "mainApplicationFile": "local:///opt/jobs/broken_etl.py",
        },
        forward_driver_logs=True,
        polling_period_seconds=1,
    )

    # last, whatever the others did, so that a kill of it leaves the others' results in place
    long_running = OceanSparkOperator(
        task_id="long-running",
        trigger_rule="all_done",
        job_id="long-running",
        config_overrides={
            "type": "Python",
            "mainApplicationFile": "local:///opt/jobs/stream_forever.py",
        },
        polling_period_seconds=1,
    )

    [compute_pi, broken_etl] >> long_running
