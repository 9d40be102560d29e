import pytest

from sparkplane_provider.application import describe_end, idempotency_key, is_terminal, succeeded


def test_one_key_per_try():
    key = idempotency_key("etl", "submit", "manual__2026-03-01", -1, 1)
    assert key == idempotency_key("etl", "submit", "manual__2026-03-01", -1, 1)
    assert key.startswith("airflow-") and len(key) <= 200
    others = {
        idempotency_key("etl", "submit", "manual__2026-03-01", -1, 2),  # the retry
        idempotency_key("etl", "submit", "manual__2026-03-02", -1, 1),
        idempotency_key("etl", "submit", "manual__2026-03-01", 0, 1),
        idempotency_key("etl", "other", "manual__2026-03-01", -1, 1),
        idempotency_key("etl2", "submit", "manual__2026-03-01", -1, 1),
    }
    assert key not in others and len(others) == 5


def test_ids_cannot_run_into_each_other():
    assert idempotency_key("a_b", "c", "r", -1, 1) != idempotency_key("a", "b_c", "r", -1, 1)


@pytest.mark.parametrize(
    "state,terminal,ok",
    [
        ("NEW", False, False),
        ("PENDING", False, False),
        ("RUNNING", False, False),
        ("COMPLETED", True, True),
        ("COMPLETED_WITH_WARNINGS", True, True),
        ("FAILED", True, False),
        ("KILLED", True, False),
        ("TIMED_OUT", True, False),
    ],
)
def test_states(state, terminal, ok):
    assert is_terminal({"state": state}) is terminal
    assert succeeded({"state": state}) is ok


def test_the_end_says_why():
    assert describe_end({"id": "a1", "state": "FAILED", "stateReason": "exit 1"}) == "sparkplane application a1 ended FAILED: exit 1"
    assert describe_end({"id": "a1", "state": "KILLED"}) == "sparkplane application a1 ended KILLED"
