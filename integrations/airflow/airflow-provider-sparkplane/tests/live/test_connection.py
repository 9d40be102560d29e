"""The connection test of the UI, against a live sparkplane (the connection sparkplane_default)."""

import json
import os

from sparkplane_provider.hooks.sparkplane import SparkplaneHook


def test_the_connection_works_and_names_the_token():
    ok, message = SparkplaneHook().test_connection()
    assert ok, message
    assert message.startswith("Connected to http://127.0.0.1:") and message.endswith(" as airflow")


def test_an_unknown_default_cluster_fails_the_test(monkeypatch):
    conn = json.loads(os.environ["AIRFLOW_CONN_SPARKPLANE_DEFAULT"])
    monkeypatch.setenv("AIRFLOW_CONN_SPARKPLANE_ELSEWHERE", json.dumps({**conn, "schema": "no-such-cluster"}))
    ok, message = SparkplaneHook("sparkplane_elsewhere").test_connection()
    assert not ok
    assert "/api/v1/clusters/no-such-cluster answered 404" in message
