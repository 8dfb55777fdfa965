"""Scale benchmark: search and recommendation over a city's listings (issue 18 point 4).

    nice -n 15 .venv/bin/python benchmarks/scale.py embedded                 # 300,000 vacancies
    ESTATION_ES_PORT=9290 ESTATION_ES_HEAP=3g scripts/elasticsearch start    # a node of its own
    nice -n 15 .venv/bin/python benchmarks/scale.py elasticsearch --es-url http://127.0.0.1:9290  # 1,000,000

Vacancies come from the search benchmark's generator (benchmarks/search.py: the demo's kinds of work
around 甸柳's communities), so their texts repeat; vectors are by text, kept in an embedding store, so
each distinct text is encoded once. The index is built as the product builds it (indexing.sync.rebuild
with the listing vectors of estation.matching.vectors). Then, with the same query mix as the 100,000
figures: search (benchmarks/search.py's 1,000 queries with facets) and recommendation
(benchmarks/matching.py's residents, the resident's words already encoded). On the embedded backend
the kNN of every recommendation is also asked of the exact scan over the same index (the reference),
and the recall@10 of the approximate index against it is reported.

Each run writes its backend's entry of benchmarks/results/scale.json (the other entry is kept) and
scale.md beside the 100,000 figures of search.json and matching.json. ``--work DIR`` keeps the seeded
database and the embedding store for the next run, and with ``--skip-build`` the index it built (a
million listings take long to index on two cores).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sqlalchemy import func, select

from estation.config import Settings
from estation.db import make_engine, make_session_factory
from estation.jobs.models import Vacancy
from estation.jobs.search import SearchService
from estation.matching.encoder import load_encoder
from estation.matching.evaluation.harness import limits_of, profile_of
from estation.matching.evaluation.profiles import PROFILES
from estation.matching.occupations import OccupationIndex
from estation.matching.retrieval import limit_filters
from estation.matching.service import Matcher
from estation.matching.vectors import EmbeddingStore, listing_vectors
from estation.migrate import upgrade
from indexing.ann import recall_at
from indexing.embedded import APPROXIMATE_FROM, EmbeddedBackend
from indexing.query import SearchQuery
from indexing.sync import rebuild

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VACANCIES = {"embedded": 300_000, "elasticsearch": 1_000_000}
GOALS = {"search_p95_ms": 40, "recommend_p95_ms": 50}


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / f"benchmarks/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rss_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, MB."""
    now = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
    return round(now, 1), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def seed(factory, bench, n: int, seed_value: int, today: date, work: Path) -> tuple[float | None, bool]:
    """Seconds it took to seed ``n`` vacancies (None if not known), and whether this run seeded them:
    a work directory that already holds them keeps its seeding time in seeded-N.json."""
    kept = work / f"seeded-{n}.json"
    with factory() as s:
        have = s.scalar(select(func.count()).select_from(Vacancy)) or 0
    if have == n:
        return (json.loads(kept.read_text(encoding="utf-8"))["seed_s"] if kept.exists() else None), False
    if have:
        raise SystemExit(f"the work directory holds {have} vacancies, not {n}: use another --work")
    t = time.perf_counter()
    with factory() as s:
        bench.seed(s, random.Random(seed_value), n, today)
    seconds = round(time.perf_counter() - t, 1)
    kept.write_text(json.dumps({"seed_s": seconds}), encoding="utf-8")
    return seconds, True


def progress(started: float):
    """Prints the indexing rate every 20,000 listings (a million take long: the rate says how long)."""
    def report(_label: str, done: int, total: int) -> None:
        if done % 20_000 == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(f"indexing: {done:,} of {total:,} in {elapsed:.0f}s ({done / max(elapsed, 1e-9):.0f}/s)", flush=True)
    return report


def knn_recall(approximate: EmbeddedBackend, exact: EmbeddedBackend, matcher: Matcher, profiles, today: date) -> dict:
    """The kNN of each recommendation (the resident's centroid, within their limits, and the pool
    without limits), asked of the approximate index and of the exact scan over the same index."""
    r = matcher.retriever
    got: dict[str, list] = {"within_limits": [], "pool": []}
    want: dict[str, list] = {"within_limits": [], "pool": []}
    times: list[float] = []
    exact_times: list[float] = []
    for p in profiles:
        vectors = r.encode_items(profile_of(p).texts)
        if not len(vectors):
            continue
        centroid = vectors.mean(axis=0)
        centroid = (centroid / max(float(np.linalg.norm(centroid)), 1e-12))[None, :]
        filters = limit_filters(limits_of(p), kind="vacancy", today=today, per_page=r.k_lexical)
        requests = [(2 * r.k_vector, filters), (2 * r.pool_k, SearchQuery(kind="vacancy", today=today))]
        t = time.perf_counter()
        a = approximate.knn_sets("vacancy", centroid, requests, model_id=matcher.model_id)
        times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        e = exact.knn_sets("vacancy", centroid, requests, model_id=matcher.model_id)
        exact_times.append((time.perf_counter() - t) * 1000)
        for name, i in (("within_limits", 0), ("pool", 1)):
            got[name] += a[i]
            want[name] += e[i]
    every_got = got["within_limits"] + got["pool"]
    every_want = want["within_limits"] + want["pool"]
    return {
        "recall_at_10": round(recall_at(every_want, every_got, 10), 4),
        "recall_at_10_within_limits": round(recall_at(want["within_limits"], got["within_limits"], 10), 4),
        "recall_at_10_pool": round(recall_at(want["pool"], got["pool"], 10), 4),
        "recall_at_k": round(sum(recall_at([w], [g], len(w)) * len(w) for w, g in zip(every_want, every_got))
                             / max(1, sum(len(w) for w in every_want)), 4),
        "knn_requests": len(every_got),
        "approximate_knn_median_ms": round(statistics.median(times), 2) if times else None,
        "exact_knn_median_ms": round(statistics.median(exact_times), 2) if exact_times else None,
    }


def first_recommendations(path: Path, approximate_from, encoder, occupations, store, factory, profiles) -> dict:
    """Each resident's first recommendation from a fresh backend and matcher (vectors loaded first):
    nothing kept yet of what the timed recommendations reuse (a word's matches and a filter's rows,
    kept per generation of the index; the candidates' facts), as after a restart. The residents' words
    are already encoded, and the process's other caches (phrases read as occupations, listing texts
    segmented) warm."""
    backend = EmbeddedBackend(path, prefix="scale", approximate_from=approximate_from)
    backend.vector_matrix("vacancy", dims=encoder.dim, model_id=encoder.model_id)
    matcher = Matcher(encoder=encoder, search=SearchService(backend), fusion="rrf", occupations=occupations,
                      store=store)
    times = []
    with factory() as s:
        for p in profiles:
            t = time.perf_counter()
            matcher.match_profile(s, profile=profile_of(p), limits=limits_of(p), limit=10, rows=False)
            times.append((time.perf_counter() - t) * 1000)
    backend.close()
    return {"first_recommend_p50_ms": round(float(np.percentile(times, 50)), 1),
            "first_recommend_p95_ms": round(float(np.percentile(times, 95)), 1), "first_recommend_runs": len(times)}


def embedded_facts(backend: EmbeddedBackend, path: Path, dims: int, model_id: str) -> dict:
    t = time.perf_counter()
    matrix = backend.vector_matrix("vacancy", dims=dims, model_id=model_id)
    load_s = round(time.perf_counter() - t, 1)
    files = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    ann = matrix.approximate
    return {
        "index_file_mb": round(files / 2**20, 1),
        "vector_matrix_mb": round(matrix.nbytes / 2**20, 1),
        "approximate_index": None if ann is None else {
            "kind": "faiss IVF, int8 codes (IndexIVFScalarQuantizer QT_8bit), rescored on float32",
            "lists": ann.nlist, "nprobe": ann.nprobe, "oversample": ann.oversample,
            "exact_scan_below": ann.exact_below, "mb": round(ann.nbytes / 2**20, 1)},
        "vectors_load_and_cluster_s": load_s,
    }


def elasticsearch_facts(es) -> dict:
    stats = es.client.indices.stats(index=es.alias("vacancy")).body["_all"]["primaries"]
    segments = es.client.indices.segments(index=es.alias("vacancy")).body["indices"]
    n_segments = sum(len(shard["segments"]) for idx in segments.values() for copies in idx["shards"].values()
                     for shard in copies)
    node = es.client.nodes.stats(metric="jvm").body["nodes"].popitem()[1]
    info = es.client.nodes.info(metric="jvm").body["nodes"].popitem()[1]
    return {
        "index_size_mb": round(stats["store"]["size_in_bytes"] / 2**20, 1),
        "segments": n_segments,
        "heap_used_mb": round(node["jvm"]["mem"]["heap_used_in_bytes"] / 2**20),
        "heap_max_mb": round(node["jvm"]["mem"]["heap_max_in_bytes"] / 2**20),
        "version": info["version"],
        "vector_index": "int8_hnsw, rescore_vector oversample 2 (indexing/elasticsearch.py)",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("backend", choices=("embedded", "elasticsearch"))
    ap.add_argument("--vacancies", type=int, help="300,000 on embedded, 1,000,000 on elasticsearch")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--es-url", default=os.environ.get("ESTATION_ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    ap.add_argument("--work", type=Path, help="keep the seeded database and the embedding store here")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--skip-build", action="store_true",
                    help="measure the index an earlier run with the same --work built (its build figures kept)")
    ap.add_argument("--approximate-from", type=int, default=APPROXIMATE_FROM,
                    help="embedded: vectors from which kNN is approximate (the product's default)")
    args = ap.parse_args()
    n = args.vacancies or DEFAULT_VACANCIES[args.backend]
    search_bench, matching_bench = _module("search"), _module("matching")
    today = date.today()
    work = args.work or Path(tempfile.mkdtemp(prefix="estation-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / f'estation-{n}.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    seed_s, seeded = seed(factory, search_bench, n, args.seed, today, work)
    print(f"{n:,} vacancies ({'seeded' if seeded else 'already seeded'} in {seed_s} s"
          f"{', %.0f/s' % (n / seed_s) if seed_s else ''})", flush=True)

    encoder = load_encoder(Settings(model_cache_dir=ROOT / "var/models"))
    occupations = OccupationIndex.load(encoder, cache_dir=ROOT / "var/occupations", also=[ROOT / "var/models/occupations"])
    store = EmbeddingStore(work / "embeddings.sqlite3")
    if args.backend == "embedded":
        path = work / f"search-{n}.sqlite3"
        backend = EmbeddedBackend(path, prefix="scale", approximate_from=args.approximate_from)
    else:
        from indexing.elasticsearch import ElasticsearchBackend

        backend = ElasticsearchBackend(args.es_url, prefix="scale", request_timeout=600)
    built = work / f"built-{args.backend}-{n}.json"
    if args.skip_build:
        result: dict = json.loads(built.read_text(encoding="utf-8"))
        print(f"index kept from {result['built_at']}", flush=True)
    else:
        t = time.perf_counter()
        with factory() as s:
            indexed = rebuild(s, backend, kinds=("vacancy",), vector_dims=encoder.dim, model_id=encoder.model_id,
                              vectors=listing_vectors(encoder, store=store), progress=progress(t))["vacancy"]
            s.commit()
        backend.refresh("vacancy")
        index_s = time.perf_counter() - t
        result = {"vacancies": n, "indexed": indexed, "index_s": round(index_s, 1),
                  "index_docs_per_s": round(indexed / index_s), "distinct_texts_encoded": store.encoded,
                  "distinct_texts_reused": store.reused, "seed_s": seed_s,
                  "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "build_command": "python benchmarks/scale.py " + " ".join(sys.argv[1:])}
        built.write_text(json.dumps(result), encoding="utf-8")
        print(f"indexed {indexed} in {index_s:.0f}s ({indexed / index_s:.0f}/s)", flush=True)
    if isinstance(backend, EmbeddedBackend):
        result |= embedded_facts(backend, path, encoder.dim, encoder.model_id)
        print(f"vectors loaded: {result}", flush=True)

    queries = search_bench.make_queries(random.Random(args.seed), args.queries, today)
    for q in queries:
        _ = q.groups  # segmented once, outside the timings, as benchmarks/search.py does
    clear = None
    cache_stats: list[dict] = []
    if args.backend == "elasticsearch":
        def request_cache() -> dict:
            stats = backend.client.indices.stats(index=backend.alias("vacancy"), metric="request_cache")
            return stats.body["_all"]["primaries"]["request_cache"]

        def clear() -> None:
            backend.client.indices.clear_cache(index=backend.alias("vacancy"), request=True)
            cache_stats.append(request_cache())
    # On Elasticsearch the headline is measured with the shard request cache emptied after the warm-up:
    # it keeps the counts (total and facets) of the queries already asked, and every refresh that changes
    # the index empties it, so the run counts what a changing index counts (a query repeated within the
    # run is answered from the cache, as it would be). Then the same queries again, their counts cached.
    searched = search_bench.measure(args.backend, backend.search, queries, before_timing=clear)
    result |= {"search_p50_ms": searched["p50_ms"], "search_p95_ms": searched["p95_ms"],
               "search_mean_ms": searched["mean_ms"], "search_qps_8_clients": searched["qps_8_clients"]}
    if clear is not None:
        misses = request_cache()["miss_count"] - cache_stats[0]["miss_count"]
        warm = search_bench.measure(args.backend + " (counts cached)", backend.search, queries)
        result |= {"search_cache_cleared_before_run": True, "search_counts_computed": misses,
                   "search_warm_p50_ms": warm["p50_ms"], "search_warm_p95_ms": warm["p95_ms"],
                   "search_warm_mean_ms": warm["mean_ms"], "search_warm_qps_8_clients": warm["qps_8_clients"]}

    matcher = Matcher(encoder=encoder, search=SearchService(backend), fusion="rrf", occupations=occupations,
                      store=store)
    profiles = list(PROFILES)[:40]
    recommended = matching_bench.time_recommendations(matcher, factory, profiles, args.rounds)
    print(f"recommend: {recommended}", flush=True)
    result |= {"recommend_p50_ms": recommended["p50_ms"], "recommend_p95_ms": recommended["p95_ms"],
               "recommend_mean_ms": recommended["mean_ms"], "recommend_runs": recommended["runs"]}

    if isinstance(backend, EmbeddedBackend):
        result |= first_recommendations(path, args.approximate_from, encoder, occupations, store, factory, profiles)
        exact = EmbeddedBackend(path, prefix="scale", approximate_from=None)
        result |= knn_recall(backend, exact, matcher, profiles, today)
        exact.close()
        result["rss_mb"], result["peak_rss_mb"] = rss_mb()
    else:
        result |= elasticsearch_facts(backend)
        result["benchmark_process_peak_rss_mb"] = rss_mb()[1]
    result |= {"machine": {"cores": os.cpu_count(), "load_average_at_end": os.getloadavg(),
                           "python": platform.python_version()},
               "command": "python benchmarks/scale.py " + " ".join(sys.argv[1:]),
               "run_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
    write(args.out, args.backend, result)


def baseline() -> dict:
    """The 100,000-listing figures, from the search and matching benchmarks' committed results."""
    results = ROOT / "benchmarks/results"
    search = json.loads((results / "search.json").read_text(encoding="utf-8"))
    matching = json.loads((results / "matching.json").read_text(encoding="utf-8"))
    speed = matching["details"]["speed"]
    out = {}
    for name in ("embedded", "elasticsearch"):
        out[name] = {"vacancies": search["vacancies"], "search_p95_ms": search["backends"][name]["p95_ms"],
                     "recommend_p95_ms": speed[name]["p95_ms"],
                     "search_command": search["command"],
                     "recommend_command": (matching.get("speed_from") or matching)["command"]}
    return out


def summary(run: dict) -> dict:
    """A run's headline figures, kept beside the next run's (the figures move with the machine's load)."""
    keys = ("vacancies", "search_p95_ms", "recommend_p95_ms", "recall_at_10", "command", "run_at")
    return {k: run.get(k) for k in keys} | {"load_average_at_end": run["machine"]["load_average_at_end"]}


def write(out_dir: Path, backend: str, result: dict) -> None:
    path = out_dir / "scale.json"
    out = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if backend in out:
        result["previous_runs"] = [summary(out[backend]), *out[backend].get("previous_runs", [])][:5]
    out[backend] = result
    out["baseline_100k"] = baseline()
    out["goals"] = GOALS
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out_dir / "scale.md").write_text(report(out), encoding="utf-8")


def _cell(value, unit: str = "") -> str:
    return "—" if value is None else f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"


def report(out: dict) -> str:
    base = out["baseline_100k"]
    lines = [
        "# Scale: a city's listings",
        "",
        "Search and recommendation over many vacancies (issue 18 point 4), beside the 100,000-listing figures",
        "of [search.md](search.md) and [matching.md](matching.md). Vacancies from the search benchmark's",
        "generator (the demo's kinds of work around 甸柳's communities): their texts repeat, and vectors are",
        "kept by text, so each distinct text was encoded once. Search: benchmarks/search.py's 1,000 queries",
        "(words, filters, facets, 20 a page), p95 of one backend answering one query. Recommend:",
        "benchmarks/matching.py's 40 residents, 200 recommendations, the resident's words already encoded.",
        f"Goals: search p95 <= {out['goals']['search_p95_ms']} ms, recommend p95 <= "
        f"{out['goals']['recommend_p95_ms']} ms. All on 2 cores shared with other work (load average at the",
        "end of each run below).",
        "",
        "| backend | vacancies | search p50 / p95 ms | recommend p50 / p95 ms | recall@10 | index time | index size |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("embedded", "elasticsearch"):
        b = base[name]
        exact = "1 (exact scan)" if name == "embedded" else "—"
        lines.append(f"| {name} | {b['vacancies']:,} | — / {b['search_p95_ms']} | — / {b['recommend_p95_ms']} | "
                     f"{exact} | | |")
        r = out.get(name)
        if r is None:
            lines.append(f"| {name} | not run | | | | | |")
            continue
        size = r.get("index_size_mb") or r.get("index_file_mb")
        lines.append(
            f"| **{name}** | **{r['vacancies']:,}** ({r['indexed']:,} open, indexed) | {r['search_p50_ms']} / "
            f"**{r['search_p95_ms']}** | {r['recommend_p50_ms']} / **{r['recommend_p95_ms']}** | "
            f"{_cell(r.get('recall_at_10'))} | {r['index_s']:,} s ({r['index_docs_per_s']:,}/s) | {size:,} MB |")
    for name in ("embedded", "elasticsearch"):
        r = out.get(name)
        if r is None:
            continue
        m = r["machine"]
        lines += ["", f"## {name}", "", f"Command: `{r['command']}` (run {r['run_at']}; load average at the end "
                  f"{', '.join(f'{x:.1f}' for x in m['load_average_at_end'])} on {m['cores']} cores)"
                  + (f"; the index was built by `{r['build_command']}` at {r['built_at']}" if "build_command" in r
                     and r["build_command"] != r["command"] else "") + ".", ""]
        lines.append(f"- {r['distinct_texts_encoded']:,} texts encoded while building, {r['distinct_texts_reused']:,} "
                     "vectors read back from the embedding store (each distinct text is encoded once; `--work` keeps "
                     "the store, so texts an earlier run encoded are read back).")
        lines.append(f"- Search: qps from 8 clients {r['search_qps_8_clients']}, mean {r['search_mean_ms']} ms.")
        if r.get("search_cache_cleared_before_run"):
            lines.append(
                "- Search sends each query as two searches in one msearch: the page (counting nothing) and the "
                "exact total and facets (size 0), which the node's shard request cache keeps until a refresh "
                "changes the index (indexing/elasticsearch.py hits_body, counts_body). The headline p95 is "
                "measured with that cache emptied after the warm-up, so it counts what a changing index counts: "
                f"{r['search_counts_computed']:,} of the 1,000 queries' counts were computed (the 8-client run "
                "that follows asks the same queries), the others were repeats answered from the cache. The same "
                f"queries again, every count cached (as served between two changes of the index): p50 "
                f"{r['search_warm_p50_ms']} / p95 {r['search_warm_p95_ms']} ms, mean {r['search_warm_mean_ms']} ms, "
                f"qps from 8 clients {r['search_warm_qps_8_clients']}.")
        if name == "embedded" and "first_recommend_p95_ms" in r:
            lines.append(
                "- The backend keeps what one generation of the index answers the same every time (the listings a "
                "word matches, the rows a filter passes) and the matcher the candidates' facts, checked against the "
                "database on every read: the timed recommendations (40 residents, each seen before) reuse them. "
                f"Each resident's first recommendation from a fresh backend and matcher: p50 "
                f"{r['first_recommend_p50_ms']} ms, p95 {r['first_recommend_p95_ms']} ms: every word, filter and fact "
                "read again, as after a restart; after a write to the index (which moves its generation) the "
                "filters and the rarer words (bm25 counts the whole index) are read again, a common word's "
                "matches are patched with the listings written, and the facts are read only where they changed. "
                "The process's other caches, phrases read as occupations and listing texts segmented, stay warm.")
        if name == "embedded":
            ann = r.get("approximate_index")
            if ann:
                lines.append(
                    f"- Vectors: {r['vector_matrix_mb']} MB float32 matrix (kept for exact cosines and the exact "
                    f"scan), and the approximate index, {ann['kind']}: {ann['lists']} lists, {ann['nprobe']} probed "
                    f"(more as a filter narrows), the best {ann['oversample']} x k rescored exactly, filters passing "
                    f"at most {ann['exact_scan_below']:,} listings scanned exactly; {ann['mb']} MB. Loading the "
                    f"vectors and clustering them took {r['vectors_load_and_cluster_s']} s at the first query.")
            lines.append(
                f"- Recall@10 of the approximate kNN against the exact scan over the same index, on the "
                f"{r['knn_requests']} kNN requests of the 40 residents' recommendations (within their limits and "
                f"the pool without limits): **{r['recall_at_10']}** (within limits {r['recall_at_10_within_limits']}, "
                f"pool {r['recall_at_10_pool']}; over the whole k of each request {r['recall_at_k']}). Listings "
                "sharing a text share a vector, so a listing tied with the exact 10th best counts as found. One "
                f"approximate kNN (both requests) took {r['approximate_knn_median_ms']} ms, the exact scan "
                f"{r.get('exact_knn_median_ms', '—')} ms (medians).")
            lines.append(f"- Index file {r['index_file_mb']} MB; the benchmark process's memory {r['rss_mb']} MB "
                         f"resident at the end, peak {r['peak_rss_mb']} MB (it also holds the model and the seeding).")
        else:
            lines.append(f"- Elasticsearch {r['version']}, {r['vector_index']}; index {r['index_size_mb']} MB in "
                         f"{r['segments']} segment{'s' if r['segments'] != 1 else ''}; JVM heap {r['heap_used_mb']} MB "
                         f"used of {r['heap_max_mb']} MB at the end (the vectors live off-heap in the page cache).")
            if r.get("merge_s") is not None:
                lines.append(f"- Merge into one segment: {r['merge_s']:,} s ({r['merge_note']}).")
        lines += [f"- {note}" for note in r.get("notes", [])]
    for name in ("embedded", "elasticsearch"):
        runs = (out.get(name) or {}).get("previous_runs") or []
        if runs:
            lines += ["", f"Earlier runs on {name} (the load differs, and the code may: the run's time places it among the commits):", ""]
            lines += [f"- `{p['command']}` at {p['run_at']}: search p95 {p['search_p95_ms']} ms, recommend p95 "
                      f"{p['recommend_p95_ms']} ms, recall@10 {_cell(p.get('recall_at_10'))}, load average at the end "
                      f"{', '.join(f'{x:.1f}' for x in p['load_average_at_end'])}." for p in runs]
    lines += ["", "The 100,000 figures are from `" + base["embedded"]["search_command"] + "` and `"
              + base["embedded"]["recommend_command"] + "`, on a quieter machine; there the embedded backend "
              "scanned exactly (below 200,000 vectors it still does) and Elasticsearch held float `hnsw` "
              "vectors (now `int8_hnsw`, rescored on the float vectors).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
