"""Kiosk speed: server time per page (p95) with 50 concurrent simulated sessions, and page weight.

    .venv/bin/python benchmarks/kiosk.py                 # 50 sessions, 3 journeys each
    .venv/bin/python benchmarks/kiosk.py --sessions 50 --rounds 3

The real app on a fresh SQLite database with the demo data (``fixtures.demo``) and its embedded search
index, served by uvicorn on loopback. Each simulated session is its own browser (cookie jar) walking a
resident's journey: attract, home, 找工作, results with the filters residents use, a job detail, and,
for one session in five, signing in with a demo persona's PIN and opening 我的申请 / 我的社保 /
我的办事进度. The sessions run at once, each pausing 0.3-1.5 s between taps (``--think``; people take
longer, so this loads the server harder than a hall full of residents). The simulated browsers run in a
separate process, so they do not compete with the server for its interpreter lock. Server time is
measured inside the server, from the request reaching the app to the last byte of the response (so it
includes waiting for a worker thread under load, not the network). Sign-in is reported apart: its
argon2 hash is slow on purpose.

Page weight is what a browser downloads for a page: the HTML plus every stylesheet, script and image
it links (icons are inline SVG, so they are in the HTML), uncompressed.

Writes benchmarks/results/kiosk.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"

FILTER_SETS = ("", "near=1", "seated=1", "short=1", "home=1", "seated=1&short=1", "cat=guard", "cat=food",
               "q=保洁", "q=看门", "q=做饭&near=1")
PERSONAL = ("/kiosk/me/applications", "/kiosk/me/insurance", "/kiosk/me/cases")


class ServerTimer:
    """ASGI wrapper: the time from the request reaching the app to the end of its response body."""

    def __init__(self, app) -> None:
        self.app = app
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                key = _key(scope["method"], scope["path"])
                with self.lock:
                    self.samples[key].append((time.perf_counter() - start) * 1000)

        await self.app(scope, receive, timed_send)


def _key(method: str, path: str) -> str:
    path = re.sub(r"/\d+", "/{id}", path)
    path = re.sub(r"/prints/\w+", "/prints/{ref}", path)
    return f"{method} {path}"


def build_app(tmp: Path):
    from estation.app import create_app
    from estation.cases.demo import load_demo_cases
    from estation.config import Settings
    from estation.composition import search_service
    from estation.migrate import upgrade
    from fixtures.demo import KIOSK_PIN, load_demo
    from indexing.sync import rebuild

    url = f"sqlite:///{tmp / 'kiosk-bench.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, environment="test", var_dir=tmp))
    factory = app.state.parts.session_factory
    with factory() as s:
        load_demo(s)
        load_demo_cases(s, today=date.today())
        s.commit()
    app.state.parts.search = search_service(app.state.parts.settings)
    with factory() as s:
        rebuild(s, app.state.parts.search.backend)
        s.commit()
    from sqlalchemy import select

    from estation.jobs.models import Vacancy, VacancyStatus
    from estation.labour.models import Resident

    with factory() as s:
        personas = [r.id_number for r in s.scalars(select(Resident).where(Resident.pin_hash.is_not(None)))]
        vacancy_ids = list(s.scalars(select(Vacancy.id).where(Vacancy.status == VacancyStatus.open,
                                                               Vacancy.valid_until >= date.today())))
    return app, personas, KIOSK_PIN, vacancy_ids


def serve(app) -> tuple[str, object, threading.Thread]:
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def journey(client, n: int, rounds: int, personas: list[str], pin: str, vacancy_ids: list[int],
                  think: tuple[float, float]) -> int:
    import asyncio

    rng = random.Random(n)
    requests = 0

    async def pause() -> None:
        # A person reads and taps between pages; kept shorter than real people take, to load harder.
        await asyncio.sleep(rng.uniform(*think))

    async def get(path: str):
        nonlocal requests
        await pause()
        requests += 1
        response = await client.get(path)
        assert response.status_code in (200, 303), (path, response.status_code)
        return response

    signed_in = n % 5 == 0 and personas
    for _ in range(rounds):
        await get("/kiosk")
        await get("/kiosk/home")
        if signed_in:
            page = await get("/kiosk/signin/pin")
            requests += 1
            r = await client.post("/kiosk/signin/pin", data={"csrf_token": _csrf(page.text),
                                                             "id_number": personas[n % len(personas)], "pin": pin})
            assert r.status_code == 303, r.text[:300]
            for path in PERSONAL:
                await get(path)
        await get("/kiosk/jobs")
        for filters in rng.sample(FILTER_SETS, 3):
            await get(f"/kiosk/jobs/results?{filters}")
        for vid in rng.sample(vacancy_ids, 2):
            await get(f"/kiosk/jobs/{vid}")
        await get("/kiosk/guide")
        home = await get("/kiosk/home")
        requests += 1
        await client.post("/kiosk/finish", data={"csrf_token": _csrf(home.text)})
        client.cookies.clear()
    return requests


def load(spec: dict) -> int:
    """The load generator: every session its own cookie jar, all in one asyncio loop (own process)."""
    import asyncio

    import httpx

    async def run() -> int:
        limits = httpx.Limits(max_connections=spec["sessions"] + 5)
        async def one(n: int) -> int:
            async with httpx.AsyncClient(base_url=spec["base"], timeout=120, limits=limits) as client:
                return await journey(client, n, spec["rounds"], spec["personas"], spec["pin"], spec["vacancy_ids"],
                                     tuple(spec["think"]))
        return sum(await asyncio.gather(*(one(n) for n in range(spec["sessions"]))))

    return asyncio.run(run())


def run_load(spec: dict) -> int:
    # Clients in another process: in the server's process they would hold its GIL and be counted as server time.
    import subprocess

    out = subprocess.run([sys.executable, __file__, "--load-spec", json.dumps(spec)], check=True,
                         capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def page_weight(base: str, path: str) -> float:
    import httpx

    with httpx.Client(base_url=base) as client:
        html = client.get(path).content
        text = html.decode()
        total = len(html)
        assets = set(re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text))
        assets |= set(re.findall(r'<script[^>]+src="([^"]+)"', text))
        assets |= set(re.findall(r'<img[^>]+src="([^"]+)"', text))
        for asset in assets:
            total += len(client.get(asset).content)
    return round(total / 1024, 1)


def p95(values: list[float]) -> float:
    values = sorted(values)
    return round(values[max(0, int(round(0.95 * len(values))) - 1)], 1) if values else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think", type=float, nargs=2, default=(0.3, 1.5), metavar=("MIN", "MAX"),
                        help="seconds between a session's taps")
    parser.add_argument("--load-spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_spec:
        print(load(json.loads(args.load_spec)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        print("loading the demo data and building the search index ...", flush=True)
        app, personas, pin, vacancy_ids = build_app(Path(tmp))
        timer = ServerTimer(app)
        base, server, thread = serve(timer)
        try:
            # Warm-up: templates compiled, jieba loaded, first queries planned.
            spec = {"base": base, "rounds": 1, "sessions": 2, "personas": personas, "pin": pin,
                    "vacancy_ids": vacancy_ids, "think": [0, 0]}
            run_load(spec)
            timer.samples.clear()
            print(f"{args.sessions} sessions x {args.rounds} journeys ...", flush=True)
            started = time.perf_counter()
            requests = run_load(spec | {"rounds": args.rounds, "sessions": args.sessions, "think": list(args.think)})
            wall = time.perf_counter() - started
            pages = {k: v for k, v in timer.samples.items() if k.startswith("GET /kiosk")}
            every = [x for v in pages.values() for x in v]
            weights = {
                "home": page_weight(base, "/kiosk/home"),
                "results": page_weight(base, "/kiosk/jobs/results?seated=1"),
                "detail": page_weight(base, f"/kiosk/jobs/{vacancy_ids[0]}"),
            }
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    result = {
        "sessions": args.sessions,
        "p95_ms": p95(every),
        "page_weight_kb": weights,
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms_by_page": {k: p95(v) for k, v in sorted(pages.items())},
        "signin_p95_ms": p95(timer.samples.get("POST /kiosk/signin/pin", [])),
        "requests": requests,
        "think_seconds": list(args.think),
        "pages_measured": len(every),
        "wall_seconds": round(wall, 1),
        "vacancies": len(vacancy_ids),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "kiosk.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
