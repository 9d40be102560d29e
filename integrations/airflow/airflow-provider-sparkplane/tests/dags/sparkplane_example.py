"""A DAG of the native provider: a deferrable submission and a sensor on it, a failing run, and a
run killed by its execution_timeout. Runs on Airflow 3.1 and 2.10."""

from datetime import datetime, timedelta

from airflow import DAG

from sparkplane_provider.operators.sparkplane import SparkplaneSubmitOperator
from sparkplane_provider.sensors.sparkplane import SparkplaneApplicationSensor

try:
    from airflow.sdk import task
except ImportError:  # Airflow 2.10
    from airflow.decorators import task

with DAG(
    dag_id="sparkplane_example",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
) as dag:
    compute_pi = SparkplaneSubmitOperator(
        task_id="compute-pi",
        job_id="spark-pi",
        config_overrides={"mainApplicationFile": "spark-home://examples/src/main/python/pi.py", "arguments": ["10"]},
        deferrable=True,
        poll_interval_seconds=1,
    )

    wait_for_pi = SparkplaneApplicationSensor(
        task_id="wait-for-pi",
        application_id="{{ ti.xcom_pull(task_ids='compute-pi', key='application_id') }}",
        poke_interval=1,
    )

    @task(task_id="report")
    def report(ti=None):
        # one line the test reads: what the submission left in XCom (Airflow 3 also stores the
        # operator link's URL there when the task ends; Airflow 2 asks the link when shown)
        keys = ("application_id", "dashboard_url", "return_value", "_link_SparkplaneApplicationLink")
        pulled = {key: ti.xcom_pull(task_ids="compute-pi", key=key) for key in keys}
        print("XCOM " + " ".join(f"{key}={value}" for key, value in pulled.items()))

    broken_etl = SparkplaneSubmitOperator(
        task_id="broken-etl",
        job_id="broken-etl",
        config_overrides={"mainApplicationFile": "local:///opt/jobs/broken_etl.py"},
        deferrable=True,
        poll_interval_seconds=1,
    )

    # last, whatever the others did; its execution_timeout kills it (and its application)
    long_running = SparkplaneSubmitOperator(
        task_id="long-running",
        job_id="long-running",
        config_overrides={"mainApplicationFile": "local:///opt/jobs/stream_forever.py"},
        poll_interval_seconds=1,
        execution_timeout=timedelta(seconds=5),
        trigger_rule="all_done",
    )

    # the timeout ends `dags test` itself (it propagates out of the task), so it comes last
    reported = report()
    compute_pi >> wait_for_pi >> reported
    [reported, broken_etl] >> long_running
