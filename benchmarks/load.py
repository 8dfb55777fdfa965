"""Load: many kiosk residents and counter clerks at once against the real server, on loopback only.

    .venv/bin/python benchmarks/load.py                         # 200 users for 120 s (the committed run)
    .venv/bin/python benchmarks/load.py --users 30 --seconds 10 # the short form CI runs (tests/hardening)

A fresh SQLite database gets the demo data and its search index; `estation serve` runs it in its own
process on 127.0.0.1. Four users in five are kiosk residents walking 找工作 -> results with filters -> a job
detail -> 办事指南; one in five is a counter clerk (demo accounts window1-3) looking residents up by name
and opening the figures. Every user pauses 0.5-2 s between pages, as people do. The run is bounded in
time and stops by itself. It reports server errors (must be 0), the p50/p95 page time as the client sees
it, and pages served, to benchmarks/results/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
KIOSK_PAGES = ["/kiosk/home", "/kiosk/jobs", "/kiosk/jobs/results?q=保洁", "/kiosk/jobs/results?q=bj&seated=1",
               "/kiosk/jobs/results?q=看门", "/kiosk/jobs/results?q=做饭&short=1", "/kiosk/guide"]
CLERK_QUERIES = ["王", "刘秀兰", "张", "liu", "陈淑芬", "李"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(tmp: Path) -> dict[str, str]:
    env = os.environ | {"ESTATION_VAR_DIR": str(tmp / "var"), "ESTATION_DATABASE_URL": f"sqlite:///{tmp / 'load.sqlite3'}",
                        "ESTATION_SEARCH_BACKEND": "embedded"}
    env.pop("ESTATION_ELASTICSEARCH_URL", None)
    estation = str(ROOT / ".venv" / "bin" / "estation")
    for step in (["migrate"], ["demo"], ["index", "rebuild"]):
        subprocess.run([estation, *step], env=env, check=True, capture_output=True)
    return env


async def user(client: httpx.AsyncClient, n: int, deadline: float, stats: dict, vacancy_ids: list[int],
               clerk_tokens: list[str]) -> None:
    rng = random.Random(n)
    clerk = n % 5 == 0
    if clerk:  # the hall's three windows sign in once in the morning; their clerks share those sessions
        client.cookies.set("estation_session", clerk_tokens[n % len(clerk_tokens)])
    while time.monotonic() < deadline:
        if clerk:
            path = rng.choice([f"/counter?q={rng.choice(CLERK_QUERIES)}", "/counter/figures", "/counter"])
        else:
            path = rng.choice(KIOSK_PAGES + [f"/kiosk/jobs/{rng.choice(vacancy_ids)}"])
        start = time.perf_counter()
        try:
            r = await client.get(path)
            code = r.status_code
        except httpx.HTTPError as exc:
            code = f"transport:{type(exc).__name__}"
        ms = (time.perf_counter() - start) * 1000
        stats["times"].append(ms)
        stats["by_page"].setdefault(path.split("?")[0].rstrip("0123456789"), []).append(ms)
        stats["codes"][str(code)] = stats["codes"].get(str(code), 0) + 1
        await asyncio.sleep(rng.uniform(0.5, 2.0))


async def drive(base: str, users: int, seconds: float) -> dict:
    stats: dict = {"times": [], "codes": {}, "by_page": {}}
    limits = httpx.Limits(max_connections=users + 10)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as probe:
        page = (await probe.get("/api/v1/vacancies", params={"size": 200})).json()
        vacancy_ids = [v["id"] for v in page["items"]]
        clerk_tokens = []
        for window in (1, 2, 3):
            r = await probe.post("/api/v1/auth/login", json={"username": f"window{window}", "password": "estation-demo"})
            clerk_tokens.append(r.json()["token"])
    deadline = time.monotonic() + seconds
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(users)]
    try:
        await asyncio.gather(*(user(c, n, deadline, stats, vacancy_ids, clerk_tokens) for n, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return stats


def run(users: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="estation-load-") as tmp:
        env = prepare(Path(tmp))
        port = _free_port()
        log = open(Path(tmp) / "server.log", "wb")
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "estation"), "serve", "--port", str(port)], env=env,
                                  stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            stats = asyncio.run(drive(base, users, seconds))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    times = sorted(stats["times"])
    errors = sum(n for code, n in stats["codes"].items() if not code.isdigit() or int(code) >= 500)
    return {
        "users": users, "seconds": seconds, "pages": len(times), "server_errors": errors,
        "status_codes": stats["codes"], "p50_ms": round(statistics.median(times), 1),
        "p95_ms": _p95(times), "pages_per_s": round(len(times) / seconds, 1),
        "p95_ms_by_page": {page: _p95(sorted(v)) for page, v in sorted(stats["by_page"].items())},
    }


def _p95(sorted_times: list[float]) -> float:
    return round(sorted_times[int(0.95 * (len(sorted_times) - 1))], 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.json")
    args = parser.parse_args(argv)
    result = run(args.users, args.seconds)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["server_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
