"""The load test in its short form: a real server process, kiosk and counter users at once, no server error.

It runs benchmarks/load.py as its own process (the browser tests leave an event loop in this one), on the
embedded default; the load generator is a process of its own beside the server's.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_short_load_has_no_server_error(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--deployments", "embedded",
                          "--users", "30", "--seconds", "10", "--workers", "1", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert out.exists(), run.stderr[-2000:]
    result = json.loads(out.read_text())["deployments"]["embedded"]
    assert result["server_errors"] == 0, result["status_codes"]
    assert result["pages"] > 50
    assert result["status_codes"].get("200", 0) > 0.9 * result["pages"], result["status_codes"]
    # Every page of the mix was measured alone first, in the same run: each page under load has its idle p95.
    assert set(result["p95_ms_by_page"]) <= set(result["idle_p95_ms_by_page"])
    assert set(result["idle_p95_ms_by_page"]) >= {"/counter", "/counter/figures", "/kiosk/jobs/results", "/kiosk/jobs/"}
    assert 0 < result["idle_p95_ms"] and 0 < result["p95_ms"]
    assert run.returncode == 0
