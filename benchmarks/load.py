"""Load: many kiosk residents and counter clerks at once against the real server, on loopback only.

    .venv/bin/python benchmarks/load.py                         # both deployments, 200 users for 120 s (the committed run)
    .venv/bin/python benchmarks/load.py --deployments embedded --users 30 --seconds 10   # the short form CI runs

Each deployment is built fresh, with the demo data and its search index:

- ``embedded``: the default, a SQLite file and the in-process search backend;
- ``postgres_elasticsearch``: a new database on the PostgreSQL server of ``--postgres-url`` and indexes
  under a new prefix on the Elasticsearch node of ``--elasticsearch-url`` (both removed afterwards).

``estation serve --workers N`` serves it in its own processes on 127.0.0.1; the load generator is a
third process (this script with ``--drive``), so the process that builds and watches the deployment
takes no CPU from either. The generator first opens an employer's candidates page (the heaviest page:
every consenting resident matched) while ten sign-ins arrive, as the first morning after a restart does
(``first_candidates_page``: its time, and no 5xx for anyone), then walks every page alone, one request at a time (the idle
p95 of each page, from the same run and the same server), then lets the users loose. Four users in five
are kiosk residents walking 找工作 -> results with filters -> a job detail -> 办事指南; one in five is a
counter clerk (demo accounts window1-3) looking residents up by name and opening the figures. Every user
pauses 0.5-2 s between pages, as people do. The run is bounded in time and stops by itself. It reports
server errors (must be 0), the p50/p95 page time as the client sees it, overall and by page beside the
idle p95 of the same pages, pages served, and the machine's load average, to benchmarks/results/load.json.
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
import uuid
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parents[1]
ESTATION = str(ROOT / ".venv" / "bin" / "estation")
KIOSK_PAGES = ["/kiosk/home", "/kiosk/jobs", "/kiosk/jobs/results?q=保洁", "/kiosk/jobs/results?q=bj&seated=1",
               "/kiosk/jobs/results?q=看门", "/kiosk/jobs/results?q=做饭&short=1", "/kiosk/guide"]
CLERK_QUERIES = ["王", "刘秀兰", "张", "liu", "陈淑芬", "李"]
CLERK_PAGES = [f"/counter?q={q}" for q in CLERK_QUERIES] + ["/counter/figures", "/counter"]
DEPLOYMENTS = ("embedded", "postgres_elasticsearch")
IDLE_ROUNDS = 12
"""Requests per page in the idle walk (after one warm-up request each)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def page_key(path: str) -> str:
    """The page a path belongs to, as results are grouped: the query string and a trailing id dropped."""
    return path.split("?")[0].rstrip("0123456789")


# --------------------------------------------------------------------------- the generator (its own process)


def _client(base: str, *, timeout: float, cookies: dict[str, str] | None = None, connections: int = 1) -> aiohttp.ClientSession:
    """One user's browser: its own connection and cookie jar (cookies from 127.0.0.1 accepted: ``unsafe``).
    aiohttp rather than httpx: it spends about a third of the CPU per request, and the generator shares the
    two cores with the server it measures."""
    return aiohttp.ClientSession(base_url=base, timeout=aiohttp.ClientTimeout(total=timeout), cookies=cookies,
                                 cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(limit=connections))


async def user(client: aiohttp.ClientSession, n: int, deadline: float, stats: dict, vacancy_ids: list[int],
               clerk_tokens: list[str]) -> None:
    rng = random.Random(n)
    clerk = n % 5 == 0
    if clerk:  # the hall's three windows sign in once in the morning; their clerks share those sessions
        client.cookie_jar.update_cookies({"estation_session": clerk_tokens[n % len(clerk_tokens)]})
    while time.monotonic() < deadline:
        if clerk:
            path = rng.choice([f"/counter?q={rng.choice(CLERK_QUERIES)}", "/counter/figures", "/counter"])
        else:
            path = rng.choice(KIOSK_PAGES + [f"/kiosk/jobs/{rng.choice(vacancy_ids)}"])
        code, ms = await _get(client, path)
        stats["times"].append(ms)
        stats["by_page"].setdefault(page_key(path), []).append(ms)
        stats["codes"][str(code)] = stats["codes"].get(str(code), 0) + 1
        await asyncio.sleep(rng.uniform(0.5, 2.0))


async def _get(client: aiohttp.ClientSession, path: str) -> tuple[int | str, float]:
    start = time.perf_counter()
    try:
        async with client.get(path, allow_redirects=False) as response:
            await response.read()
            code: int | str = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        code = f"transport:{type(exc).__name__}"
    return code, (time.perf_counter() - start) * 1000


async def _login(client: aiohttp.ClientSession, username: str) -> tuple[int | str, float, str | None]:
    start = time.perf_counter()
    try:
        async with client.post("/api/v1/auth/login", json={"username": username, "password": "estation-demo"}) as r:
            body = await r.json() if r.status == 200 else None
            code: int | str = r.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        code, body = f"transport:{type(exc).__name__}", None
    return code, (time.perf_counter() - start) * 1000, body and body["token"]


async def idle_walk(base: str, vacancy_ids: list[int], clerk_token: str) -> dict:
    """Every page alone, one request at a time, before the users arrive: what each costs with no queue."""
    stats: dict = {"times": [], "codes": {}, "by_page": {}}
    async with _client(base, timeout=60) as kiosk, \
            _client(base, timeout=60, cookies={"estation_session": clerk_token}) as clerk:
        pages = [(kiosk, p) for p in KIOSK_PAGES + [f"/kiosk/jobs/{v}" for v in vacancy_ids[:5]]]
        pages += [(clerk, p) for p in CLERK_PAGES]
        for client, path in pages:
            await _get(client, path)  # warm-up: first-use caches are not what a page costs
        for _ in range(IDLE_ROUNDS):
            for client, path in pages:
                code, ms = await _get(client, path)
                stats["times"].append(ms)
                stats["by_page"].setdefault(page_key(path), []).append(ms)
                stats["codes"][str(code)] = stats["codes"].get(str(code), 0) + 1
    return stats


async def first_candidates(base: str, vacancy_id: int) -> dict:
    """The first employer's candidates page after start-up (matching every consenting resident) while ten
    sign-ins arrive: how long it takes, and whether anyone got a 5xx."""
    async with _client(base, timeout=120) as employer, _client(base, timeout=120, connections=10) as others:
        token = (await _login(employer, "employer1"))[2]
        employer.headers["Authorization"] = f"Bearer {token}"

        async def window(n: int) -> tuple[int | str, float]:
            await asyncio.sleep(0.2 * n)
            code, ms, _ = await _login(others, f"window{1 + n % 3}")
            return code, ms

        page, *logins = await asyncio.gather(_get(employer, f"/api/v1/vacancies/{vacancy_id}/candidates"),
                                             *(window(n) for n in range(10)))
    return {"candidates_code": page[0], "candidates_ms": round(page[1], 1),
            "sign_in_codes": sorted({str(c) for c, _ in logins}), "sign_in_max_ms": round(max(ms for _, ms in logins), 1)}


async def drive(base: str, users: int, seconds: float, candidates_vacancy: int | None = None) -> dict:
    cold = await first_candidates(base, candidates_vacancy) if candidates_vacancy else None
    async with _client(base, timeout=30) as probe:
        async with probe.get("/api/v1/vacancies", params={"size": 200}) as r:
            vacancy_ids = [v["id"] for v in (await r.json())["items"]]
        clerk_tokens = [(await _login(probe, f"window{window}"))[2] for window in (1, 2, 3)]
    idle = await idle_walk(base, vacancy_ids, clerk_tokens[0])
    stats: dict = {"times": [], "codes": {}, "by_page": {}}
    deadline = time.monotonic() + seconds
    clients = [_client(base, timeout=30) for _ in range(users)]
    try:
        await asyncio.gather(*(user(c, n, deadline, stats, vacancy_ids, clerk_tokens) for n, c in enumerate(clients)))
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    return {"idle": idle, "load": stats, "first_candidates": cold}


# --------------------------------------------------------------------------- deployments


@contextmanager
def embedded(tmp: Path) -> Iterator[dict[str, str]]:
    env = os.environ | {"ESTATION_VAR_DIR": str(tmp / "var"), "ESTATION_DATABASE_URL": f"sqlite:///{tmp / 'load.sqlite3'}",
                        "ESTATION_SEARCH_BACKEND": "embedded"}
    env.pop("ESTATION_ELASTICSEARCH_URL", None)
    yield env


@contextmanager
def postgres_elasticsearch(tmp: Path, *, postgres_url: str, elasticsearch_url: str) -> Iterator[dict[str, str]]:
    """A database of its own on the server of ``postgres_url`` and an index prefix of its own on the node."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"estation_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    env = os.environ | {"ESTATION_VAR_DIR": str(tmp / "var"),
                        "ESTATION_DATABASE_URL": make_url(postgres_url).set(database=name).render_as_string(hide_password=False),
                        "ESTATION_SEARCH_BACKEND": "elasticsearch", "ESTATION_ELASTICSEARCH_URL": elasticsearch_url,
                        "ESTATION_INDEX_PREFIX": name}
    try:
        yield env
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        # Only this run's indexes, each by its name (the node may be shared, and refuses wildcard deletes).
        made = httpx.get(f"{elasticsearch_url}/{name}*", params={"expand_wildcards": "all"}, timeout=60).json()
        for index in made:
            httpx.delete(f"{elasticsearch_url}/{index}", timeout=60)


def prepare(env: dict[str, str]) -> int:
    """The deployment built as an operator builds it; returns an open vacancy of employer1 (demo account)."""
    from sqlalchemy import create_engine, text

    for step in (["migrate"], ["demo"], ["index", "rebuild"]):
        subprocess.run([ESTATION, *step], env=env, check=True, capture_output=True, cwd=ROOT)
    engine = create_engine(env["ESTATION_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT v.id FROM vacancy v JOIN app_user u ON u.employer_id = v.employer_id "
                "WHERE u.username = 'employer1' AND v.status = 'open' ORDER BY v.id LIMIT 1")).scalar_one()
    finally:
        engine.dispose()


def serve_and_drive(env: dict[str, str], *, tmp: Path, users: int, seconds: float, workers: int,
                    candidates_vacancy: int) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with open(tmp / "server.log", "wb") as log:
        server = subprocess.Popen([ESTATION, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                                  stdout=log, stderr=log, cwd=ROOT)
        try:
            _wait_ready(base)
            out = tmp / "drive.json"
            subprocess.run([sys.executable, __file__, "--drive", base, "--users", str(users), "--seconds", str(seconds),
                            "--candidates-vacancy", str(candidates_vacancy), "--out", str(out)], check=True, cwd=ROOT)
            return json.loads(out.read_text())
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_ready(base: str, timeout: float = 600) -> None:
    """Up, and the matching model loaded if the health check says so (the pages measured do not need it,
    but loading it takes the CPU the first minute of a run would otherwise be measured on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{base}/healthz", timeout=5)
            if r.status_code == 200 and r.json().get("matching", "ready") in ("ready", "unavailable"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server at {base} not ready after {timeout:.0f} s")


def summarise(raw: dict, *, users: int, seconds: float, workers: int, load_before: float) -> dict:
    stats, idle = raw["load"], raw["idle"]
    times = sorted(stats["times"])
    errors = sum(n for code, n in stats["codes"].items() if not code.isdigit() or int(code) >= 500)
    idle_errors = sum(n for code, n in idle["codes"].items() if not code.isdigit() or int(code) >= 500)
    cold = raw["first_candidates"] or {"candidates_code": 200, "sign_in_codes": []}
    idle_errors += sum(1 for code in [str(cold["candidates_code"]), *cold["sign_in_codes"]]
                       if not code.isdigit() or int(code) >= 500)
    return {
        "users": users, "seconds": seconds, "workers": workers, "pages": len(times),
        "server_errors": errors + idle_errors, "status_codes": stats["codes"],
        "p50_ms": round(statistics.median(times), 1), "p95_ms": _p95(times),
        "idle_p95_ms": _p95(sorted(idle["times"])), "pages_per_s": round(len(times) / seconds, 1),
        "p95_ms_by_page": {page: _p95(sorted(v)) for page, v in sorted(stats["by_page"].items())},
        "idle_p95_ms_by_page": {page: _p95(sorted(v)) for page, v in sorted(idle["by_page"].items())},
        "first_candidates_page": raw["first_candidates"],
        "load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
    }


def run(deployment: str, *, users: int, seconds: float, workers: int, postgres_url: str, elasticsearch_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="estation-load-") as name:
        tmp = Path(name)
        made = embedded(tmp) if deployment == "embedded" else postgres_elasticsearch(
            tmp, postgres_url=postgres_url, elasticsearch_url=elasticsearch_url)
        with made as env:
            vacancy = prepare(env)
            load_before = os.getloadavg()[0]
            raw = serve_and_drive(env, tmp=tmp, users=users, seconds=seconds, workers=workers, candidates_vacancy=vacancy)
    return summarise(raw, users=users, seconds=seconds, workers=workers, load_before=load_before)


def _p95(sorted_times: list[float]) -> float:
    return round(sorted_times[int(0.95 * (len(sorted_times) - 1))], 1) if sorted_times else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--deployments", nargs="+", choices=DEPLOYMENTS, default=list(DEPLOYMENTS))
    parser.add_argument("--workers", type=int, default=2, help="app processes (estation serve --workers)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "ESTATION_TEST_POSTGRES_URL", "postgresql+psycopg://estation:estation@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where a database may be created (and dropped afterwards)")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ESTATION_ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.json")
    parser.add_argument("--drive", metavar="BASE_URL", help=argparse.SUPPRESS)  # the generator process
    parser.add_argument("--candidates-vacancy", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        args.out.write_text(json.dumps(asyncio.run(drive(args.drive, args.users, args.seconds, args.candidates_vacancy))))
        return 0
    result = {"command": " ".join(["benchmarks/load.py", *(argv if argv is not None else sys.argv[1:])]),
              "deployments": {}}
    for deployment in args.deployments:
        result["deployments"][deployment] = run(deployment, users=args.users, seconds=args.seconds, workers=args.workers,
                                                postgres_url=args.postgres_url, elasticsearch_url=args.elasticsearch_url)
        print(json.dumps({deployment: result["deployments"][deployment]}, ensure_ascii=False, indent=2), flush=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0 if all(d["server_errors"] == 0 for d in result["deployments"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
