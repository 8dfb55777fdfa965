"""The load test in its short form: real server process, kiosk and counter users at once, no server error."""

from benchmarks.load import run


def test_short_load_has_no_server_error() -> None:
    result = run(users=30, seconds=10)
    assert result["server_errors"] == 0, result["status_codes"]
    assert result["pages"] > 50
    assert result["status_codes"].get("200", 0) > 0.9 * result["pages"], result["status_codes"]
