"""The provider's own hooks, wrapped: the URL each would request, per connection."""

import json

import pytest

from sparkplane_ocean_compat import apply


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    monkeypatch.delenv("SPARKPLANE_URL", raising=False)
    common = {"host": "osc-1", "login": "act-1", "password": "token-1"}
    monkeypatch.setenv("AIRFLOW_CONN_HOSTED", json.dumps({"conn_type": "ocean_spark", **common}))
    monkeypatch.setenv(
        "AIRFLOW_CONN_OWN",
        json.dumps({"conn_type": "ocean_spark", **common, "extra": {"sparkplane_url": "http://127.0.0.1:7000"}}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_OWN_CONNECT",
        json.dumps(
            {"conn_type": "ocean_spark_connect", **common, "schema": "app-1", "extra": {"sparkplane_url": "https://sp.example.com"}}
        ),
    )
    apply()


def requested_url(conn_id):
    from ocean_spark.hooks import OceanSparkHook

    seen = []

    class Answer:
        def raise_for_status(self):
            pass

        def json(self):
            return {"response": {"items": [{"id": "app-1", "appState": "RUNNING"}]}}

    def method(url, **kwargs):
        seen.append((url, kwargs["params"], kwargs["headers"]["Authorization"]))
        return Answer()

    hook = OceanSparkHook(conn_id)
    hook._do_api_call(method, "https://api.spotinst.io/ocean/spark/cluster/osc-1/app/app-1", {})
    return seen, hook


def test_a_connection_with_a_sparkplane_url_calls_sparkplane():
    seen, hook = requested_url("own")
    assert seen == [("http://127.0.0.1:7000/ocean/spark/cluster/osc-1/app/app-1", {"accountId": "act-1"}, "Bearer token-1")]
    assert hook.get_app_page_url("app-1") == "http://127.0.0.1:7000/applications/app-1"


def test_a_connection_without_one_keeps_the_hosted_product():
    seen, hook = requested_url("hosted")
    assert seen[0][0] == "https://api.spotinst.io/ocean/spark/cluster/osc-1/app/app-1"
    assert hook.get_app_page_url("app-1").startswith("https://console.spotinst.com/ocean/spark/apps/clusters/osc-1/apps/app-1")


def test_the_environment_variable_serves_connections_without_the_extra(monkeypatch):
    monkeypatch.setenv("SPARKPLANE_URL", "https://sp.example.com")
    seen, _ = requested_url("hosted")
    assert seen[0][0] == "https://sp.example.com/ocean/spark/cluster/osc-1/app/app-1"


def test_applying_twice_wraps_once():
    from ocean_spark.hooks import OceanSparkHook

    wrapped = OceanSparkHook._do_api_call
    apply()
    assert OceanSparkHook._do_api_call is wrapped


def test_the_connect_hook_opens_its_websocket_on_sparkplane(monkeypatch):
    from ocean_spark.connect import hook as connect_hook

    opened = []

    class Stop(Exception):
        pass

    def no_process(target, args):
        # the proxy is built; what it would connect to is all this test needs
        opened.append(target.__self__.url)
        raise Stop()

    monkeypatch.setattr(connect_hook, "Process", no_process)
    hook = connect_hook.OceanSparkConnectHook("own_connect")
    with pytest.raises(Stop):
        hook.execute("select 1")
    assert opened == ["wss://sp.example.com/ocean/spark/cluster/osc-1/app/app-1/connect?accountId=act-1"]
    assert hook.get_app_page_url() == "https://sp.example.com/applications/app-1"


class TaskInstance:
    def __init__(self):
        self.pushed = {}

    def xcom_push(self, key, value):
        self.pushed[key] = value


def test_the_connect_operator_pushes_its_sessions_dashboard_page_before_the_query_runs(monkeypatch):
    from ocean_spark.connect import hook as connect_hook
    from ocean_spark.connect.operator import OceanSparkConnectOperator

    ti = TaskInstance()
    seen_before_the_query = []
    monkeypatch.setattr(connect_hook.OceanSparkConnectHook, "execute", lambda self, sql: seen_before_the_query.append(dict(ti.pushed)))
    operator = OceanSparkConnectOperator(task_id="q", conn_id="own_connect", sql="select 1")
    # as Airflow 2.10's task runner calls it: with its ExecutorSafeguard's sentinel keyword
    operator.execute(context={"ti": ti}, OceanSparkConnectOperator__sentinel="sentinel")
    page = {"app_id": "app-1", "app_page_url": "https://sp.example.com/applications/app-1"}
    assert seen_before_the_query == [page]
    assert ti.pushed == page


def test_the_connect_operator_pushes_nothing_without_do_xcom_push(monkeypatch):
    from ocean_spark.connect import hook as connect_hook
    from ocean_spark.connect.operator import OceanSparkConnectOperator

    ti = TaskInstance()
    monkeypatch.setattr(connect_hook.OceanSparkConnectHook, "execute", lambda self, sql: None)
    OceanSparkConnectOperator(task_id="q", conn_id="own_connect", sql="select 1", do_xcom_push=False).execute({"ti": ti})
    assert ti.pushed == {}
