"""The Elasticsearch dialect: mapping, request bodies, and the backend that sends them (client 8.x).

Text arrives already segmented (indexing/text.py), so every text field uses the built-in
``whitespace`` analyzer, which exists even in the minimal integ-test distribution that lacks the
analysis-common module. The request-body functions are pure so that golden tests pin the dialect.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar

from elasticsearch import ApiError, BadRequestError, ConnectionError, ConnectionTimeout, Elasticsearch, NotFoundError, helpers
from numpy.typing import ArrayLike

from estation.physical import DOMAIN_NAMES
from indexing.documents import KINDS, Kind, SearchDocument, normalise_occupation_filter
from indexing.query import FACETS, EngineUnavailable, SearchBackend, SearchHits, SearchQuery, Sort
from indexing.text import TermGroup, is_initials, segment_prefix
from indexing.vectors import KnnRequest, Neighbours, as_matrix, check_space, filter_list

TEXT_FIELDS = ["text_title^3", "text_body", "text_terms^2"]
_UNAVAILABLE = (ConnectionError, ConnectionTimeout)
log = logging.getLogger("estation.indexing")
T = TypeVar("T")
_META_TTL = 5.0
"""Seconds an index's model and vector size are trusted before kNN reads them again."""
REBUILD_CHUNK = 500
"""Documents per bulk request while a new index fills (with their vectors, about 4 MB a request)."""
REBUILD_IN_FLIGHT = 2
"""Bulk requests the node works on while the next one is built: the node indexes (and builds its vector
graph) on its own threads meanwhile, instead of waiting for Python between requests."""
MERGE_TIMEOUT_S = 4 * 3600
"""Seconds the merge of a new index may take (a million listings on two busy cores: tens of minutes)."""
_BUILD_SETTINGS = {"refresh_interval": "-1", "translog.durability": "async"}
"""While a new index fills: no refresh (nobody reads it before the swap; a refresh a second would cut it
into hundreds of small segments whose vector graphs are then merged again) and no fsync per request (a
crash loses the unfinished index, which the next rebuild builds again)."""


def index_settings() -> dict:
    # One shard and no replica: a street office's listings fit one shard many times over, and a
    # single-node cluster with a replica configured would sit at yellow forever.
    return {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}


def mappings(*, vector_dims: int, model_id: str, documents: int | None = None) -> dict:
    text = {"type": "text", "analyzer": "whitespace"}
    keyword = {"type": "keyword"}
    meta: dict[str, Any] = {"model_id": model_id, "vector_dims": vector_dims, "schema": 1}
    if documents is not None:
        meta["documents"] = documents
    return {
        "dynamic": "strict",
        "_meta": meta,
        "_source": {"excludes": ["vector"]},
        "properties": {
            "id": {"type": "long"},
            "title": keyword,
            "text_title": text,
            "text_body": text,
            "text_terms": text,
            "initials": text,
            "location": {"type": "geo_point"},
            "community_code": keyword,
            "wage_min": {"type": "integer"},
            "wage_max": {"type": "integer"},
            "hours_per_day": {"type": "float"},
            "days_per_week": {"type": "integer"},
            "shift": keyword,
            "employment_type": keyword,
            "home_based": {"type": "boolean"},
            "adjustments": keyword,
            "demands": {"properties": {d: {"type": "byte"} for d in DOMAIN_NAMES}},
            "occupation_codes": keyword,
            "occupation_groups": keyword,
            "occupation_mid": keyword,
            "employer_id": {"type": "long"},
            "startup_kind": keyword,
            "amount_yuan": {"type": "long"},
            "posted_at": {"type": "date"},
            "valid_until": {"type": "date", "format": "strict_date"},
            # HNSW over int8 codes (a quarter of the float bytes in the page cache: a city's 1,000,000
            # listings of e5-small's 384 dimensions are 1.5 GB as float32, 0.4 GB as int8). Every hit is
            # rescored against the float vector kept beside the codes (rescore_vector), so the scores
            # are the exact cosines the embedded backend gives (matching compares them across backends
            # and with its store); only which neighbours are found is approximate.
            "vector": {"type": "dense_vector", "dims": vector_dims, "index": True, "similarity": "cosine",
                       "index_options": {"type": "int8_hnsw", "rescore_vector": {"oversample": 2.0}}},
        },
    }


def to_source(d: SearchDocument) -> dict:
    src: dict[str, Any] = {
        "id": d.id, "title": d.title, "text_title": d.text_title, "text_body": d.text_body,
        "text_terms": d.text_terms, "initials": d.initials, "location": {"lat": d.lat, "lon": d.lon},
        "community_code": d.community_code, "wage_min": d.wage_min, "wage_max": d.wage_max,
        "hours_per_day": d.hours_per_day, "days_per_week": d.days_per_week, "shift": d.shift,
        "employment_type": d.employment_type, "home_based": d.home_based, "adjustments": d.adjustments,
        "demands": d.demands, "occupation_codes": d.occupation_codes, "occupation_groups": d.occupation_groups,
        "occupation_mid": d.occupation_mid, "employer_id": d.employer_id, "startup_kind": d.startup_kind,
        "amount_yuan": d.amount_yuan, "posted_at": d.posted_at.isoformat(), "valid_until": d.valid_until.isoformat(),
    }
    if d.vector is not None:
        src["vector"] = d.vector
    return {k: v for k, v in src.items() if v is not None}


def _dumps(value: Any) -> str:
    # As the client serializes (elastic_transport's JsonSerializer).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def source_line(d: SearchDocument, vectors: dict[tuple[float, ...], str] | None = None) -> str:
    """``to_source(d)`` as one JSON line; ``vectors`` keeps the JSON of vectors already written, so
    listings sharing a text (and so a vector) serialize its 384 floats once."""
    src = to_source(d)
    vector = src.pop("vector", None)
    if vector is None or vectors is None:
        return _dumps(src if vector is None else to_source(d))
    key = tuple(vector)
    text = vectors.get(key)
    if text is None:
        if len(vectors) >= 10_000:
            vectors.clear()
        text = vectors[key] = _dumps([float(x) for x in vector])
    return f'{_dumps(src)[:-1]},"vector":{text}}}'


def _group_clause(group: TermGroup) -> dict:
    should: list[dict] = [
        {"multi_match": {"query": " ".join(group.alternatives), "fields": TEXT_FIELDS, "type": "most_fields"}}
    ]
    if group.initials_prefix:
        should.append({"prefix": {"initials": group.initials_prefix}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def filters(q: SearchQuery) -> list[dict]:
    out: list[dict] = [{"range": {"valid_until": {"gte": q.today.isoformat()}}}]
    if q.community_codes:
        out.append({"terms": {"community_code": list(q.community_codes)}})
    if q.near is not None and q.radius_km is not None:
        lat, lon = q.near
        out.append({"geo_distance": {"distance": f"{q.radius_km}km", "location": {"lat": lat, "lon": lon}}})
    for field, op, value in (
        ("wage_max", "gte", q.min_wage),
        ("hours_per_day", "lte", q.max_hours_per_day),
        ("days_per_week", "lte", q.max_days_per_week),
        ("posted_at", "gte", q.posted_since.isoformat() if q.posted_since else None),
    ):
        if value is not None:
            out.append({"range": {field: {op: value}}})
    for field, values in (("shift", q.shifts), ("employment_type", q.employment_types),
                          ("startup_kind", q.startup_kinds)):
        if values:
            out.append({"terms": {field: list(values)}})
    if q.home_based is not None:
        out.append({"term": {"home_based": q.home_based}})
    for adj in q.adjustments:
        out.append({"term": {"adjustments": adj}})
    for domain, level in q.max_demands:
        if domain not in DOMAIN_NAMES:
            raise ValueError(f"unknown functional domain {domain}")
        out.append({"range": {f"demands.{domain}": {"lte": level}}})
    if q.occupation:
        out.append({"term": {"occupation_groups": normalise_occupation_filter(q.occupation)}})
    if q.employer_id is not None:
        out.append({"term": {"employer_id": q.employer_id}})
    return out


def sort_clause(q: SearchQuery) -> list:
    sort = q.effective_sort
    if sort == Sort.relevance:
        return ["_score", {"posted_at": "desc"}, {"id": "desc"}]
    if sort == Sort.distance and q.near is not None:
        lat, lon = q.near
        geo = {"location": {"lat": lat, "lon": lon}, "order": "asc", "unit": "km", "distance_type": "arc"}
        return [{"_geo_distance": geo}, {"id": "desc"}]
    if sort == Sort.wage:
        return [{"wage_max": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    return [{"posted_at": "desc"}, {"id": "desc"}]


def search_body(q: SearchQuery) -> dict:
    must = [_group_clause(g) for g in q.groups] or [{"match_all": {}}]
    body: dict[str, Any] = {
        "query": {"bool": {"must": must, "filter": filters(q)}},
        "sort": sort_clause(q),
        "from": q.offset,
        "size": q.per_page,
        "track_total_hits": True,
        "_source": False,
    }
    if q.facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": 100}} for f in FACETS[q.kind]}
    return body


def hits_body(q: SearchQuery) -> dict:
    """The page of ``search_body(q)``, its ranked ids, without counting every match: without a total to
    count, the node may stop collecting a sorted query once no further listing can reach the page."""
    body = search_body(q)
    body.pop("aggs", None)
    return body | {"track_total_hits": False}


def counts_body(q: SearchQuery) -> dict:
    """The exact total and facets of ``search_body(q)`` as a search of its own with ``size: 0``. The
    node's shard request cache keeps such an answer and drops it itself at the next refresh that changed
    the index, so the same words and filters counted again (the next page, another sort, the next
    resident typing 保洁 near the same community) are answered from the cache and stay exact. The words
    are in filter context: counting needs no scores."""
    query = search_body(q)["query"]["bool"]
    words = [c for c in query["must"] if "match_all" not in c]
    body: dict[str, Any] = {"query": {"bool": {"filter": words + query["filter"]}}, "size": 0,
                            "track_total_hits": True}
    if q.facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": 100}} for f in FACETS[q.kind]}
    return body


def page_and_counts(page: dict, counts: dict) -> SearchHits:
    """One query's SearchHits from the responses to its ``hits_body`` and ``counts_body`` (or twice the
    response to its ``search_body``, which holds both)."""
    return SearchHits(ids=[int(h["_id"]) for h in page["hits"]["hits"]], total=counts["hits"]["total"]["value"],
                      facets=parse_facets(counts.get("aggregations", {})))


def suggest_body(prefix: str, *, today: date, limit: int) -> dict | None:
    words, last = segment_prefix(prefix)
    if last is None:
        return None
    must: list[dict] = [{"term": {"text_title": w}} for w in words]
    typed: dict = {"prefix": {"text_title": last}}
    if not words and is_initials(last):
        typed = {"bool": {"should": [typed, {"prefix": {"initials": last}}], "minimum_should_match": 1}}
    must.append(typed)
    return {
        "size": 0,
        "query": {"bool": {"must": must, "filter": [{"range": {"valid_until": {"gte": today.isoformat()}}}]}},
        "aggs": {"titles": {"terms": {"field": "title", "size": limit, "order": [{"_count": "desc"}, {"_key": "asc"}]}}},
    }


def parse_facets(aggs: dict) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name, agg in aggs.items():
        out[name] = {str(b.get("key_as_string", b["key"])): b["doc_count"] for b in agg["buckets"]}
    return out


def knn_body(vector: Sequence[float], k: int, queries: Sequence[SearchQuery]) -> dict:
    """The request body of one kNN search: the listings passing any of ``queries``' filters."""
    clauses = [{"bool": {"filter": filters(q)}} for q in queries]
    flt = clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}
    return {
        "knn": {"field": "vector", "query_vector": [float(x) for x in vector], "k": k,
                "num_candidates": min(10_000, max(100, 4 * k)), "filter": flt},
        "size": k,
        "_source": False,
    }


def similarity_body(vector: Sequence[float], ids: Sequence[int]) -> dict:
    """The request body scoring one vector against exactly the listings ``ids``."""
    return {
        "knn": {"field": "vector", "query_vector": [float(x) for x in vector], "k": len(ids),
                "num_candidates": len(ids), "filter": {"ids": {"values": [str(i) for i in ids]}}},
        "size": len(ids),
        "_source": False,
    }


class ElasticsearchBackend(SearchBackend):
    """Lexical search, kNN and similarities on an Elasticsearch node (client 8.x)."""

    name = "elasticsearch"

    def __init__(self, url: str, *, prefix: str = "estation", request_timeout: float = 10.0) -> None:
        self.prefix = prefix
        # No client-side retries: a dead node must be noticed at once so search can degrade.
        self.client = Elasticsearch(url, request_timeout=request_timeout, max_retries=0, retry_on_timeout=False)
        self._spaces: dict[Kind, tuple[float, dict]] = {}
        """Each index's metadata as last read (monotonic time, meta), for :meth:`_check_space`."""

    def alias(self, kind: Kind) -> str:
        return f"{self.prefix}-{kind}"

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``; an unreachable or overloaded node raises EngineUnavailable."""
        try:
            return fn(*args, **kwargs)
        except _UNAVAILABLE as exc:
            raise EngineUnavailable(f"Elasticsearch unreachable: {exc}") from exc
        except ApiError as exc:
            if exc.meta.status in (502, 503, 504):
                raise EngineUnavailable(f"Elasticsearch unavailable: {exc}") from exc
            raise

    def ping(self) -> bool:
        try:
            return bool(self.client.cluster.health(timeout="2s"))
        except Exception:  # noqa: BLE001 - any failure means "not usable now"
            return False

    def close(self) -> None:
        self.client.close()

    def _create(self, kind: Kind, *, vector_dims: int, model_id: str) -> str:
        name = f"{self.alias(kind)}-{time.time_ns()}"
        self._call(
            self.client.indices.create, index=name, settings=index_settings(),
            mappings=mappings(vector_dims=vector_dims, model_id=model_id),
        )
        return name

    def ensure_indexes(self, *, vector_dims: int, model_id: str) -> None:
        """Each kind's first index, made with its alias in one request. Several processes start at once:
        they all name it ``<alias>-first``, so one makes it and the others find it made (two indexes
        under one alias would leave writes nowhere to go). An alias found on several indexes (made so by
        processes of an older release starting together) is put back on one: the fullest (then the last by name)."""
        for kind in KINDS:
            alias = self.alias(kind)
            if self._call(self.client.indices.exists_alias, name=alias):
                self._one_index_under(alias)
                continue
            try:
                self._call(self.client.indices.create, index=f"{alias}-first", settings=index_settings(),
                           mappings=mappings(vector_dims=vector_dims, model_id=model_id), aliases={alias: {}})
            except BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise

    def _one_index_under(self, alias: str) -> None:
        names = sorted(self._call(self.client.indices.get_alias, name=alias).body)
        if len(names) < 2:
            return
        counts = {n: self._call(self.client.count, index=n)["count"] for n in names}
        keep = max(names, key=lambda n: (counts[n], n))
        drop = [n for n in names if n != keep]
        log.warning("alias %s was on %d indexes; kept %s (%d documents), dropped %s", alias, len(names), keep,
                    counts[keep], ", ".join(drop))
        try:
            self._call(self.client.indices.update_aliases,
                       actions=[{"remove": {"index": n, "alias": alias}} for n in drop])
            for n in drop:
                self._call(self.client.indices.delete, index=n)
        except NotFoundError:  # another process starting beside this one put it back first
            pass

    def index_meta(self, kind: Kind) -> dict:
        resp = self._call(self.client.indices.get_mapping, index=self.alias(kind))
        (name, body), = resp.body.items()
        return {"index": name, **body["mappings"].get("_meta", {})}

    def _actions(self, index: str, docs: Iterable[SearchDocument]) -> Iterator[dict]:
        for d in docs:
            yield {"_op_type": "index", "_index": index, "_id": str(d.id), "_source": to_source(d)}

    def upsert(self, kind: Kind, docs: Sequence[SearchDocument]) -> None:
        if docs:
            self._call(helpers.bulk, self.client, self._actions(self.alias(kind), docs), raise_on_error=True)

    def delete(self, kind: Kind, ids: Sequence[int]) -> None:
        actions = ({"_op_type": "delete", "_index": self.alias(kind), "_id": str(i)} for i in ids)
        try:
            self._call(helpers.bulk, self.client, actions, raise_on_error=False)
        except NotFoundError:
            pass

    def refresh(self, kind: Kind) -> None:
        self._call(self.client.indices.refresh, index=self.alias(kind))

    def count(self, kind: Kind) -> int:
        return self._call(self.client.count, index=self.alias(kind))["count"]

    def rebuild(self, kind: Kind, docs: Iterable[SearchDocument], *, vector_dims: int, model_id: str) -> int:
        name = self._create(kind, vector_dims=vector_dims, model_id=model_id)
        try:
            self._call(self.client.indices.put_settings, index=name, settings=_BUILD_SETTINGS)
            written = self._fill(name, docs)
            self._merge(name)
        except BaseException:
            # Nothing reads the half-filled index (the alias still names the old one): drop it.
            try:
                self.client.indices.delete(index=name)
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise
        self._call(self.client.indices.put_settings, index=name,
                   settings={"refresh_interval": index_settings()["refresh_interval"],
                             "translog.durability": "request"})
        self._call(self.client.indices.refresh, index=name)
        self._call(self.client.indices.put_mapping, index=name,
                   meta={**mappings(vector_dims=vector_dims, model_id=model_id, documents=written)["_meta"]})
        alias = self.alias(kind)
        old = list(self._call(self.client.indices.get_alias, name=alias, ignore_unavailable=True).body) \
            if self._call(self.client.indices.exists_alias, name=alias) else []
        # One update_aliases call: readers see the old index or the new one, never neither.
        actions: list[dict] = [{"remove": {"index": o, "alias": alias}} for o in old]
        actions.append({"add": {"index": name, "alias": alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        self._spaces.pop(kind, None)  # the model and size of the index it just replaced no longer hold
        for o in old:
            self._call(self.client.indices.delete, index=o)
        return written

    def _fill(self, index: str, docs: Iterable[SearchDocument]) -> int:
        """Bulk-index ``docs`` into ``index``: requests of REBUILD_CHUNK documents, serialized here while
        the node indexes the previous ones (up to REBUILD_IN_FLIGHT at once). Any refused document
        fails the rebuild (helpers.BulkIndexError), as before. Returns the documents written."""
        vectors: dict[tuple[float, ...], str] = {}
        action = '{"index":{"_index":' + _dumps(index) + ',"_id":"'
        written = 0
        pending: deque[Future] = deque()

        def send(body: str) -> int:
            resp = self._call(self.client.bulk, operations=body.encode("utf-8"))
            items = resp["items"]
            if resp["errors"]:
                errors = [i for i in items if i["index"].get("error")]
                raise helpers.BulkIndexError(f"{len(errors)} document(s) failed to index.", errors[:20])
            return len(items)

        with ThreadPoolExecutor(REBUILD_IN_FLIGHT, thread_name_prefix="es-rebuild") as pool:
            try:
                lines: list[str] = []
                for d in docs:
                    lines.append(f'{action}{d.id}"}}}}\n{source_line(d, vectors)}\n')
                    if len(lines) >= REBUILD_CHUNK:
                        if len(pending) >= REBUILD_IN_FLIGHT:
                            written += pending.popleft().result()
                        pending.append(pool.submit(send, "".join(lines)))
                        lines = []
                if lines:
                    pending.append(pool.submit(send, "".join(lines)))
                while pending:
                    written += pending.popleft().result()
            finally:
                for f in pending:
                    f.cancel()
        return written

    def _merge(self, index: str) -> None:
        """Merge the filled index into one segment before readers get it. Filled in bulk it holds
        dozens of segments (one per indexing buffer flushed, per indexing thread), and every kNN search
        walks every segment's vector graph: a million listings in 32 segments answered in hundreds of
        milliseconds (benchmarks/results/scale.md). The merge of a big index takes minutes: this one
        request may wait that long."""
        self._call(self.client.options(request_timeout=MERGE_TIMEOUT_S).indices.forcemerge, index=index,
                   max_num_segments=1)

    def search(self, query: SearchQuery) -> SearchHits:
        """The page (``hits_body``) and the exact total and facets (``counts_body``, which the node's
        request cache keeps) as two searches in one msearch round trip: at a million listings, with a
        filter passing most of them, counting the total and six facets cost several times the page, and
        the same counts were asked again and again (benchmarks/results/scale.md)."""
        page, counts = self._responses(query.kind, [hits_body(query), counts_body(query)])
        return page_and_counts(page, counts)

    def suggest(self, kind: Kind, prefix: str, *, today: date, limit: int = 8) -> list[str]:
        body = suggest_body(prefix, today=today, limit=limit)
        if body is None:
            return []
        resp = self._call(self.client.search, index=self.alias(kind), body=body)
        return [b["key"] for b in resp["aggregations"]["titles"]["buckets"]]

    # -- vectors: the VectorSearch capability ----------------------------------------------------

    def _check_space(self, kind: Kind, model_id: str, dims: int) -> None:
        """The index's model and vector size, read at most every few seconds (one request saved per query)."""
        hit = self._spaces.get(kind)
        if hit is None or time.monotonic() - hit[0] > _META_TTL:
            hit = (time.monotonic(), self.index_meta(kind))
            self._spaces[kind] = hit
        check_space(hit[1], model_id=model_id, dims=dims)

    def _responses(self, kind: Kind, bodies: list[dict]) -> list[dict]:
        """Every body as one search, all in one round trip (the node runs them side by side)."""
        searches: list[dict] = []
        for body in bodies:
            # A count (size 0, no kNN) is cached by the node: said here rather than left to its default.
            cached = {"request_cache": True} if body.get("size") == 0 and "knn" not in body else {}
            searches += [{"index": self.alias(kind)} | cached, body]
        resp = self._call(self.client.msearch, searches=searches)
        for r in resp["responses"]:
            if "error" in r:
                raise RuntimeError(f"search failed: {r['error']}")
        return resp["responses"]

    def _msearch(self, kind: Kind, bodies: list[dict]) -> list[Neighbours]:
        """Every kNN body as one search, all in one round trip; hits as (id, cosine)."""
        # Elasticsearch scores cosine as (1 + cos) / 2; give callers the cosine itself.
        return [[(int(h["_id"]), 2.0 * float(h["_score"]) - 1.0) for h in r["hits"]["hits"]]
                for r in self._responses(kind, bodies)]

    def knn_and_search(self, kind: Kind, vectors: ArrayLike, requests: Sequence[KnnRequest],
                       queries: Sequence[SearchQuery], *, model_id: str) -> tuple[list[list[Neighbours]],
                                                                                  list[SearchHits]]:
        """``knn_sets(kind, vectors, requests)`` and ``search(q)`` of each of ``queries``, all in one
        msearch round trip: what matching asks for one resident (the kNN within the limits and of the
        pool, and the words' queries) costs one request, the node running the searches side by side."""
        q = as_matrix(vectors)
        self._check_space(kind, model_id, q.shape[1])
        knn = [knn_body(vec, k, filter_list(f)) for k, f in requests for vec in q]
        for query in queries:
            if query.kind != kind:
                raise ValueError("every query must be of the kind searched")
        # Each word query as one search with its total (matching reads only the page: split in two, as
        # search() sends it, the resident's searches would double for counts nobody reads).
        responses = self._responses(kind, knn + [search_body(query) for query in queries])
        flat = [[(int(h["_id"]), 2.0 * float(h["_score"]) - 1.0) for h in r["hits"]["hits"]]
                for r in responses[:len(knn)]]
        n = q.shape[0]
        hits = [page_and_counts(r, r) for r in responses[len(knn):]]
        return [flat[i * n:(i + 1) * n] for i in range(len(requests))], hits

    def knn_sets(self, kind: Kind, vectors: ArrayLike, requests: Sequence[KnnRequest], *,
                 model_id: str) -> list[list[Neighbours]]:
        """Every (request, vector) pair as one kNN search, all in one msearch round trip."""
        q = as_matrix(vectors)
        self._check_space(kind, model_id, q.shape[1])
        flat = self._msearch(kind, [knn_body(vec, k, filter_list(f)) for k, f in requests for vec in q])
        n = q.shape[0]
        return [flat[i * n:(i + 1) * n] for i in range(len(requests))]

    def similarities(self, kind: Kind, ids: Sequence[int], vectors: ArrayLike, *,
                     model_id: str) -> dict[int, list[float]]:
        """One kNN search per vector filtered to ``ids``, which the engine answers by an exact scan of
        just those documents."""
        q = as_matrix(vectors)
        wanted = sorted(set(int(i) for i in ids))
        if not wanted or not len(q):
            return {}
        self._check_space(kind, model_id, q.shape[1])
        out: dict[int, list[float]] = {}
        for j, hits in enumerate(self._msearch(kind, [similarity_body(vec, wanted) for vec in q])):
            for doc_id, cos in hits:
                out.setdefault(doc_id, [float("nan")] * len(q))[j] = cos
        return {i: v for i, v in out.items() if not any(math.isnan(x) for x in v)}
