"""Resolves a task instance's operator links as the Airflow 2.10 webserver does: its Flask app (from
the serialized DAGs of the metadata database, as `airflow webserver` reads them), asked through the
two lookups the UI calls, the REST API's task instance `links` and the `/extra_links` view.

Usage: webserver_links.py <dag_id> <task_id>; prints {"api": {name: url}, "ui": {name: url}} as JSON.
"""

import json
import os
import sys
import tempfile

# anonymous requests as Admin (UI) and unauthenticated REST calls: the lookups, not the log-in, are under test
config = os.path.join(tempfile.mkdtemp(), "webserver_config.py")
with open(config, "w") as f:
    f.write('AUTH_ROLE_PUBLIC = "Admin"\n')
os.environ["AIRFLOW__WEBSERVER__CONFIG_FILE"] = config
os.environ["AIRFLOW__API__AUTH_BACKENDS"] = "airflow.api.auth.backend.default"

from airflow.models import TaskInstance  # noqa: E402
from airflow.utils.session import create_session  # noqa: E402
from airflow.www.app import create_app  # noqa: E402

dag_id, task_id = sys.argv[1:3]
with create_session() as session:
    ti = session.query(TaskInstance).filter_by(dag_id=dag_id, task_id=task_id).one()
    run_id, logical_date = ti.run_id, ti.execution_date.isoformat()

client = create_app().test_client()
api = client.get(f"/api/v1/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/links")
if api.status_code != 200:
    sys.exit(f"GET links answered {api.status_code}: {api.get_data(as_text=True)}")
ui = {}
for name in api.get_json():
    answer = client.get(
        "/extra_links",
        query_string={"dag_id": dag_id, "task_id": task_id, "execution_date": logical_date, "link_name": name},
    )
    ui[name] = answer.get_json()["url"]
print(json.dumps({"api": api.get_json(), "ui": ui}))
