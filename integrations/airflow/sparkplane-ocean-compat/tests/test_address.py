import pytest

from sparkplane_ocean_compat.address import (
    SparkplaneAddressError,
    api_url,
    connect_url,
    dashboard_url,
    sparkplane_url,
)


def test_the_connection_extra_wins_over_the_environment():
    environ = {"SPARKPLANE_URL": "https://env.example.com"}
    assert sparkplane_url({"sparkplane_url": "http://127.0.0.1:8080/"}, environ) == "http://127.0.0.1:8080"
    assert sparkplane_url({}, environ) == "https://env.example.com"


def test_no_address_keeps_the_hosted_product():
    assert sparkplane_url({}, {}) is None
    assert sparkplane_url({"sparkplane_url": ""}, {"SPARKPLANE_URL": ""}) is None


@pytest.mark.parametrize("value", ["sparkplane.example.com", "ftp://host", "https://host/?x=1", 42])
def test_a_bad_address_names_its_source_and_value(value):
    with pytest.raises(SparkplaneAddressError, match=r"connection's extra field 'sparkplane_url' is .*expected"):
        sparkplane_url({"sparkplane_url": value}, {})


def test_a_bad_environment_address_names_the_variable():
    with pytest.raises(SparkplaneAddressError, match=r"^SPARKPLANE_URL is 'nope': expected"):
        sparkplane_url({}, {"SPARKPLANE_URL": "nope"})


def test_hosted_urls_move_onto_sparkplane_and_others_stay():
    base = "https://sparkplane.example.com/platform"
    assert (
        api_url("https://api.spotinst.io/ocean/spark/cluster/osc-1/app/a1/log/live", base)
        == "https://sparkplane.example.com/platform/ocean/spark/cluster/osc-1/app/a1/log/live"
    )
    assert api_url("http://elsewhere/cluster/x", base) == "http://elsewhere/cluster/x"


def test_the_connect_websocket_follows_the_scheme():
    hosted = "wss://api.spotinst.io/ocean/spark/cluster/c/app/a/connect?accountId=x"
    assert connect_url(hosted, "http://127.0.0.1:9000") == "ws://127.0.0.1:9000/ocean/spark/cluster/c/app/a/connect?accountId=x"
    assert connect_url(hosted, "https://sp.example.com") == "wss://sp.example.com/ocean/spark/cluster/c/app/a/connect?accountId=x"


def test_the_dashboard_link_quotes_the_id():
    assert dashboard_url("https://sp.example.com", "etl-2026/03") == "https://sp.example.com/applications/etl-2026%2F03"
