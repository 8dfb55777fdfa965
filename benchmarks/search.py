"""Search benchmark: embedded (SQLite FTS5) vs Elasticsearch vs a SQL LIKE baseline, side by side.

    scripts/elasticsearch start   # or ESTATION_ES_PORT=9201 scripts/elasticsearch start
    .venv/bin/python benchmarks/search.py --vacancies 100000 --queries 1000 \
        --es-url http://127.0.0.1:9200

Vacancies are drawn from the demo's kinds of work (fixtures.catalog: titles, occupation codes, pay,
hours, shifts, demands, adjustments) around 甸柳's communities (fixtures/data/communities.csv).
Queries mix words residents type (plain words, job titles, pinyin initials) with the filters the
kiosk offers (community, 15-minute walk, wage, hours, shift, home-based, physical limits), each with
facet counts, 20 per page. Latency is the backend's answer (ranked ids, total, facets); hydrating
20 rows from the database is the same for every backend and is left out.
Writes benchmarks/results/search.json and search.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from sqlalchemy.orm import Session

from estation.db import make_engine, make_session_factory
from estation.jobs.models import Employer, EmployerStatus, Vacancy, VacancyStatus
from estation.labour.models import Community, Subdistrict
from estation.matching.encoder import E5_SMALL
from estation.migrate import upgrade
from estation.physical import DOMAIN_NAMES
from fixtures.catalog import KINDS
from indexing.database import DatabaseSearch
from indexing.documents import vacancy_document
from indexing.embedded import EmbeddedBackend
from indexing.query import SearchQuery, Sort
from indexing.sync import searchable_rows
from indexing.vectors import NO_VECTORS

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("保洁", "保安", "看门", "做饭", "带孩子", "收银", "快递", "分拣", "理货", "搬运", "客服", "厨师", "司机",
         "护理", "家政", "手工", "居家", "仓库", "服务员", "兼职", "夜班", "维修", "绿化", "配送", "钟点工")
INITIALS = ("bj", "ba", "syy", "kdy", "jz", "cs")


def communities() -> list[dict]:
    with (ROOT / "fixtures/data/communities.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def seed(session: Session, rng: random.Random, n: int, today: date) -> None:
    session.add(Subdistrict(code="370102009", name="甸柳街道", district_code="370102", district_name="历下区",
                            city_name="济南市"))
    session.flush()
    comms = communities()
    for c in comms:
        session.add(Community(code=c["code"], subdistrict_code="370102009", name=c["name"],
                              short_name=c["short_name"], lat=float(c["lat"]), lon=float(c["lon"])))
    session.flush()
    from estation.jobs.occupations import load_occupations, read_csco22

    load_occupations(session, read_csco22())
    employers = [
        dict(uscc=f"9137010{i:011d}", name=f"济南{rng.choice(('甸柳', '燕山', '历下', '泉城'))}"
             f"{rng.choice(('物业', '餐饮', '物流', '商贸', '家政', '保安', '超市'))}服务有限公司{i}",
             contact_name="王", contact_phone="13805310000", address="甸柳", lat=36.665, lon=117.05,
             status=EmployerStatus.approved)
        for i in range(2000)
    ]
    session.execute(insert(Employer), employers)
    emp_ids = list(range(1, 2001))
    rows = []
    for _ in range(n):
        kind = rng.choice(KINDS)
        c = rng.choice(comms)
        etype = rng.choice(kind.types)
        lo, hi = kind.wage
        wage_min = int(round(rng.uniform(lo, (lo + hi) / 2), -2))
        adjustments = [a.value for a in kind.adjustments if rng.random() < 0.6]
        rows.append(dict(
            employer_id=rng.choice(emp_ids), title=rng.choice(kind.titles),
            description=kind.duties + f"工作地点：{c['estate']}附近。", occupation_code=kind.code,
            community_code=c["code"], address=c["estate"],
            lat=float(c["lat"]) + rng.gauss(0, 0.004), lon=float(c["lon"]) + rng.gauss(0, 0.005),
            wage_min=wage_min, wage_max=min(hi, wage_min + rng.choice((500, 800, 1000, 1500))),
            hours_per_day=kind.hours if rng.random() < 0.7 else float(rng.choice((4, 5, 6))),
            days_per_week=kind.days, shift=rng.choice(kind.shifts), employment_type=etype,
            home_based=kind.home_based, demands=dict(kind.demands), adjustments=adjustments, openings=1,
            posted_at=datetime.now(timezone.utc) - timedelta(days=rng.uniform(0, 75)),
            valid_until=today + timedelta(days=rng.randint(7, 120)),
            status=VacancyStatus.open if rng.random() < 0.92 else VacancyStatus.closed,
        ))
        if len(rows) == 5000:
            session.execute(insert(Vacancy), rows)
            rows = []
    if rows:
        session.execute(insert(Vacancy), rows)
    session.commit()


def make_queries(rng: random.Random, n: int, today: date) -> list[SearchQuery]:
    comms = communities()
    out = []
    for _ in range(n):
        home = rng.choice(comms)
        point = (float(home["lat"]), float(home["lon"]))
        kw: dict = {"today": today}
        roll = rng.random()
        if roll < 0.75:
            kw["text"] = rng.choice(INITIALS) if rng.random() < 0.1 else rng.choice(WORDS)
            if rng.random() < 0.15:
                kw["text"] += " " + rng.choice(("兼职", "夜班", "居家", "甸柳"))
        if roll >= 0.4:  # filters: on their own or with words
            if rng.random() < 0.5:
                kw["near"], kw["radius_km"] = point, 1.0  # the 15-minute walk
            elif rng.random() < 0.5:
                kw["community_codes"] = (home["code"],)
            if rng.random() < 0.3:
                kw["min_wage"] = rng.choice((3000, 3500, 4000, 5000))
            if rng.random() < 0.25:
                kw["max_hours_per_day"] = rng.choice((4.0, 6.0, 8.0))
            if rng.random() < 0.15:
                kw["shifts"] = ("day",)
            if rng.random() < 0.1:
                kw["home_based"] = True
            if rng.random() < 0.3:
                kw["max_demands"] = tuple((d, rng.randint(1, 3)) for d in rng.sample(DOMAIN_NAMES, 2))
            if rng.random() < 0.1:
                kw["adjustments"] = ("seated_work",)
        sort = rng.random()
        if sort < 0.15 and "near" in kw:
            kw["sort"] = Sort.distance
        elif sort < 0.25:
            kw["sort"] = Sort.wage
        elif sort < 0.35:
            kw["sort"] = Sort.newest
        out.append(SearchQuery(**kw))
    return out


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def measure(name: str, search, queries: list[SearchQuery], before_timing=None) -> dict:
    for q in queries[:50]:
        search(q)  # warm caches and connections
    if before_timing is not None:
        before_timing()  # e.g. empty the engine's request cache the warm-up filled
    lat = []
    for q in queries:
        t = time.perf_counter()
        search(q)
        lat.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(search, queries))
    elapsed = time.perf_counter() - t
    result = {"p50_ms": round(percentile(lat, 50), 2), "p95_ms": round(percentile(lat, 95), 2),
              "mean_ms": round(statistics.mean(lat), 2), "qps_8_clients": round(len(queries) / elapsed, 1)}
    print(f"{name}: {result}", flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vacancies", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--es-url", default=os.environ.get("ESTATION_ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results")
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    rng, today = random.Random(args.seed), date.today()
    work = Path(tempfile.mkdtemp(prefix="estation-bench-"))
    url = f"sqlite:///{work / 'estation.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    t = time.perf_counter()
    with factory() as s:
        seed(s, rng, args.vacancies, today)
    print(f"seeded {args.vacancies} vacancies in {time.perf_counter() - t:.1f}s", flush=True)

    t = time.perf_counter()
    with factory() as s:
        docs = [d for row in searchable_rows(s, "vacancy", today=today)
                if (d := vacancy_document(row, today=today)) is not None]
    build_s = time.perf_counter() - t
    print(f"built {len(docs)} documents in {build_s:.1f}s ({len(docs) / build_s:.0f}/s)", flush=True)
    queries = make_queries(rng, args.queries, today)
    for q in queries:
        _ = q.groups  # segment once, outside the timings: every backend gets the same prepared query

    results: dict[str, dict] = {}
    embedded = EmbeddedBackend(work / "search.sqlite3", prefix="bench")
    t = time.perf_counter()
    embedded.rebuild("vacancy", docs, vector_dims=E5_SMALL.dims, model_id=NO_VECTORS)
    results["embedded"] = {"index_docs_per_s": round(len(docs) / (time.perf_counter() - t))}
    results["embedded"] |= measure("embedded", embedded.search, queries)

    from indexing.elasticsearch import ElasticsearchBackend

    es = ElasticsearchBackend(args.es_url, prefix="bench", request_timeout=60)
    t = time.perf_counter()
    es.rebuild("vacancy", docs, vector_dims=E5_SMALL.dims, model_id=NO_VECTORS)
    results["elasticsearch"] = {"index_docs_per_s": round(len(docs) / (time.perf_counter() - t))}
    es.client.options(request_timeout=600).indices.forcemerge(index=es.alias("vacancy"), max_num_segments=1)
    version, heap_mb = _es_node(es)
    results["elasticsearch"] |= measure("elasticsearch", es.search, queries)
    es.client.indices.delete(index="bench-*")

    local = threading.local()

    def like(q: SearchQuery):
        if not hasattr(local, "s"):
            local.s = factory()
        return DatabaseSearch(local.s).search(q)

    results["sql_like_baseline"] = {"index_docs_per_s": None}
    results["sql_like_baseline"] |= measure("sql_like_baseline", like, queries)

    out = {
        "vacancies": args.vacancies, "searchable_documents": len(docs), "queries": args.queries,
        "document_build_per_s": round(len(docs) / build_s),
        "backends": results,
        "machine": {"cores": os.cpu_count(), "load_average_at_end": os.getloadavg(), "python": platform.python_version(), "elasticsearch": version,
                    "elasticsearch_heap_mb": heap_mb,
                    "sqlite": __import__("sqlite3").sqlite_version},
        "command": "python benchmarks/search.py " + " ".join(sys.argv[1:]),
        "run_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "search.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (args.out / "search.md").write_text(report(out), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


def _es_node(es) -> tuple[str, int]:
    """The node's version and JVM heap in MB."""
    node = es.client.perform_request("GET", "/_nodes/_local/jvm", headers={"accept": "application/json"}) \
        .body["nodes"].popitem()[1]
    return node["version"], node["jvm"]["mem"]["heap_max_in_bytes"] // 2**20


def report(out: dict) -> str:
    rows = "\n".join(
        f"| {name} | {r['p50_ms']} | {r['p95_ms']} | {r['qps_8_clients']} | {r['index_docs_per_s'] or '—'} |"
        for name, r in out["backends"].items()
    )
    m = out["machine"]
    return f"""# Search benchmark

Command: `{out['command']}` (run {out['run_at']}), on {m['cores']} cores, Python {m['python']},
SQLite {m['sqlite']}, Elasticsearch {m['elasticsearch']} (integ-test-zip from Maven Central, {m['elasticsearch_heap_mb']} MB heap,
started by `scripts/elasticsearch start`).

{out['vacancies']:,} vacancies drawn from the demo's kinds of work (`fixtures.catalog`) around 甸柳's
communities, {out['searchable_documents']:,} of them open and so indexed; {out['queries']} queries: three in
four with words (plain words such as 看门 and 做饭, job titles, pinyin initials such as `bj`), most with
filters (15-minute walk, community, wage, hours, shift, home-based, physical limits, adjustments), each
with facet counts, 20 a page, sorted by relevance, distance, wage or newest.

Latency is one backend answering one query (ranked ids, total and facets) after 50 warm-up queries;
reading the 20 rows of a page from the database is the same for every backend and not counted.
`qps_8_clients` runs the same queries from 8 threads. Indexing is documents a second into a new
index, without embeddings; building the documents (jieba segmentation and pinyin) runs once beforehand
at {out['document_build_per_s']:,} documents a second and is not counted. The baseline is the degraded
path: `LIKE '%word%'` over title and description plus SQL filters on the vacancy table, on the same
queries. The load average at the end of the run was
{', '.join(f'{x:.1f}' for x in m['load_average_at_end'])}, on {m['cores']} cores.

| backend | p50 ms | p95 ms | qps, 8 clients | index docs/s |
|---|---|---|---|---|
{rows}

Goals on this 2-core machine: embedded p95 <= 25 ms, engine p95 <= 40 ms, both far ahead of the baseline.
"""


if __name__ == "__main__":
    main()
