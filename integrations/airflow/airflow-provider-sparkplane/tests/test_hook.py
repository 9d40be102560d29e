import pytest
import requests
from airflow.exceptions import AirflowException

from sparkplane_provider.hooks.sparkplane import base_url, problem_message


def test_the_base_url_from_host_and_port():
    assert base_url("http://127.0.0.1:8080/", None, "c") == "http://127.0.0.1:8080"
    assert base_url("sparkplane.example.com", None, "c") == "https://sparkplane.example.com"
    assert base_url("sparkplane.example.com", 8443, "c") == "https://sparkplane.example.com:8443"


@pytest.mark.parametrize("host,expected", [(None, "has no host"), ("ftp://x", "has host 'ftp://x': expected an http")])
def test_a_bad_host_names_the_connection(host, expected):
    with pytest.raises(AirflowException, match=f"connection 'sp' {expected}"):
        base_url(host, None, "sp")


def answer(status, body, content_type="application/problem+json"):
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    response.headers["content-type"] = content_type
    return response


def test_a_problem_reads_as_one_line_with_its_fields():
    body = '{"title":"Bad Request","detail":"invalid body","status":400,"errors":[{"path":"jobId","message":"Required"}]}'
    assert (
        problem_message("POST", "http://sp/api/v1/applications", answer(400, body))
        == "sparkplane POST http://sp/api/v1/applications answered 400: Bad Request: invalid body (jobId: Required)"
    )


def test_an_answer_that_is_not_json_is_quoted():
    assert problem_message("GET", "http://sp/x", answer(502, "<html>bad gateway</html>", "text/html")) == (
        "sparkplane GET http://sp/x answered 502: <html>bad gateway</html>"
    )
