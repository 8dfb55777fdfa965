"""The embedded backend: SQLite FTS5 in its own file under ``var/``, with the vectors beside it.

No server: the index lives in ``<var_dir>/search.sqlite3``, separate from the main database so a
rebuild or a corrupt index never touches the records. Per kind there is an alias row pointing at a
set of physical tables (``<name>_doc`` filter columns and vector, ``<name>_fts`` the segmented text,
``<name>_tag`` multi-valued keywords); a rebuild fills new tables and moves the alias in one
transaction, as Elasticsearch does with an index alias.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import numpy as np

from estation.jobs.models import Adjustment
from estation.physical import DOMAIN_NAMES
from indexing.documents import Kind, SearchDocument, normalise_occupation_filter
from indexing.query import FACETS, SearchHits, SearchQuery, Sort
from indexing.text import is_initials, segment_prefix

_BATCH = 1000
_TEXT_COLUMNS = ("text_title", "text_body", "text_terms", "initials")
# bm25 weights in the order of _TEXT_COLUMNS; the same boosts as the Elasticsearch dialect.
_WEIGHTS = "3.0, 1.0, 2.0, 1.0"
_DOC_COLUMNS = (
    "id", "title", "community_code", "lat", "lon", "wage_min", "wage_max", "hours_per_day", "days_per_week",
    "shift", "employment_type", "home_based", "employer_id", "startup_kind", "amount_yuan", "posted_at",
    "valid_until", *(f"d_{d}" for d in DOMAIN_NAMES), "adj_mask", "occupation_mid", "vector",
)
# Adjustments as bits of one integer: a filter is one AND, the facet one SUM per bit, no join.
_ADJ_BITS = {a.value: 1 << i for i, a in enumerate(Adjustment)}
_KM_PER_DEGREE = 111.195
_SINGLE_FACETS = ("community_code", "employment_type", "shift", "home_based", "startup_kind", "occupation_mid")


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_match(query: SearchQuery) -> str:
    """The FTS5 MATCH expression: every group must match, any alternative in a group will do."""
    parts = []
    for g in query.groups:
        expr = "{text_title text_body text_terms} : (" + " OR ".join(_quote(a) for a in g.alternatives) + ")"
        if g.initials_prefix:
            expr = f"{expr} OR initials : {_quote(g.initials_prefix)} *"
        parts.append(f"({expr})")
    return " AND ".join(parts)


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, path: Path | str, *, prefix: str = "estation") -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        with self._conn() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS search_alias (alias TEXT PRIMARY KEY, physical TEXT, meta TEXT)")

    # -- connections -------------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
            self._local.conn = conn
            self._all.append(conn)
        return conn

    def close(self) -> None:
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._local = threading.local()

    def ping(self) -> bool:
        return True

    # -- aliases and physical tables ---------------------------------------------------------------

    def _alias(self, kind: Kind) -> str:
        return f"{self.prefix}_{kind}"

    def _physical(self, kind: Kind) -> str:
        row = self._conn().execute("SELECT physical FROM search_alias WHERE alias = ?", (self._alias(kind),)).fetchone()
        if row is None:
            raise LookupError(f"no embedded index for {kind}: run `estation index rebuild`")
        return row[0]

    def _create_tables(self, conn: sqlite3.Connection, phys: str) -> None:
        demand_cols = ", ".join(f"d_{d} INTEGER NOT NULL DEFAULT 0" for d in DOMAIN_NAMES)
        script = f"""
            CREATE TABLE "{phys}_doc" (
                id INTEGER PRIMARY KEY, title TEXT, community_code TEXT, lat REAL, lon REAL,
                wage_min INTEGER, wage_max INTEGER, hours_per_day REAL, days_per_week INTEGER,
                shift TEXT, employment_type TEXT, home_based INTEGER, employer_id INTEGER,
                startup_kind TEXT, amount_yuan INTEGER, posted_at REAL, valid_until TEXT,
                {demand_cols}, adj_mask INTEGER NOT NULL DEFAULT 0, occupation_mid TEXT, vector BLOB);
            CREATE INDEX "{phys}_posted" ON "{phys}_doc" (posted_at);
            CREATE INDEX "{phys}_latlon" ON "{phys}_doc" (lat, lon);
            CREATE INDEX "{phys}_wage" ON "{phys}_doc" (wage_max);
            CREATE INDEX "{phys}_community" ON "{phys}_doc" (community_code);
            CREATE VIRTUAL TABLE "{phys}_fts" USING fts5(
                text_title, text_body, text_terms, initials, tokenize = 'unicode61 remove_diacritics 0');
            CREATE TABLE "{phys}_tag" (tag TEXT, doc_id INTEGER, PRIMARY KEY (tag, doc_id)) WITHOUT ROWID;
            CREATE INDEX "{phys}_tag_doc" ON "{phys}_tag" (doc_id)
        """
        # One statement at a time: executescript would commit the caller's open transaction.
        for statement in script.split(";"):
            conn.execute(statement)

    def _drop_tables(self, conn: sqlite3.Connection, phys: str) -> None:
        for suffix in ("doc", "fts", "tag"):
            conn.execute(f'DROP TABLE IF EXISTS "{phys}_{suffix}"')

    def ensure_indexes(self, *, vector_dims: int, model_id: str) -> None:
        with self._write_lock:
            conn = self._conn()
            for kind in ("vacancy", "startup"):
                if conn.execute("SELECT 1 FROM search_alias WHERE alias = ?", (self._alias(kind),)).fetchone():
                    continue
                phys = f"{self._alias(kind)}_{time.time_ns()}"
                conn.execute("BEGIN IMMEDIATE")
                self._create_tables(conn, phys)
                conn.execute(
                    "INSERT INTO search_alias VALUES (?, ?, ?)",
                    (self._alias(kind), phys, json.dumps(_meta(vector_dims, model_id))),
                )
                conn.execute("COMMIT")

    def index_meta(self, kind: Kind) -> dict:
        row = self._conn().execute(
            "SELECT physical, meta FROM search_alias WHERE alias = ?", (self._alias(kind),)
        ).fetchone()
        if row is None:
            raise LookupError(kind)
        return {"index": row[0], **json.loads(row[1])}

    # -- writes ------------------------------------------------------------------------------------

    def _write(self, conn: sqlite3.Connection, phys: str, docs: Sequence[SearchDocument], dims: int) -> None:
        for d in docs:
            # Elasticsearch refuses a vector of the wrong size; so does this backend, or they would differ.
            if d.vector is not None and len(d.vector) != dims:
                raise ValueError(f"vector of {len(d.vector)} dimensions for {d.kind} {d.id}; the index has {dims}")
        ids = [(d.id,) for d in docs]
        conn.executemany(f'DELETE FROM "{phys}_doc" WHERE id = ?', ids)
        conn.executemany(f'DELETE FROM "{phys}_fts" WHERE rowid = ?', ids)
        conn.executemany(f'DELETE FROM "{phys}_tag" WHERE doc_id = ?', ids)
        marks = ", ".join("?" for _ in _DOC_COLUMNS)
        conn.executemany(f'INSERT INTO "{phys}_doc" VALUES ({marks})', [_doc_row(d) for d in docs])
        conn.executemany(
            f'INSERT INTO "{phys}_fts" (rowid, {", ".join(_TEXT_COLUMNS)}) VALUES (?, ?, ?, ?, ?)',
            [(d.id, d.text_title, d.text_body, d.text_terms, d.initials) for d in docs],
        )
        conn.executemany(
            f'INSERT OR IGNORE INTO "{phys}_tag" VALUES (?, ?)', [(t, d.id) for d in docs for t in _tags(d)]
        )

    def upsert(self, kind: Kind, docs: Sequence[SearchDocument]) -> None:
        if not docs:
            return
        with self._write_lock:
            conn = self._conn()
            phys = self._physical(kind)
            dims = self.index_meta(kind)["vector_dims"]
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._write(conn, phys, docs, dims)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def delete(self, kind: Kind, ids: Sequence[int]) -> None:
        if not ids:
            return
        with self._write_lock:
            conn = self._conn()
            phys = self._physical(kind)
            rows = [(i,) for i in ids]
            conn.execute("BEGIN IMMEDIATE")
            for suffix, col in (("doc", "id"), ("fts", "rowid"), ("tag", "doc_id")):
                conn.executemany(f'DELETE FROM "{phys}_{suffix}" WHERE {col} = ?', rows)
            conn.execute("COMMIT")

    def refresh(self, kind: Kind) -> None:
        """Writes are visible once committed; nothing to do."""

    def rebuild(self, kind: Kind, docs: Iterable[SearchDocument], *, vector_dims: int, model_id: str) -> int:
        conn = self._conn()
        phys = f"{self._alias(kind)}_{time.time_ns()}"
        with self._write_lock:
            self._create_tables(conn, phys)
        written, batch = 0, []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= _BATCH:
                written += self._write_batch(conn, phys, batch, vector_dims)
                batch = []
        written += self._write_batch(conn, phys, batch, vector_dims)
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            old = conn.execute("SELECT physical FROM search_alias WHERE alias = ?", (self._alias(kind),)).fetchone()
            meta = json.dumps({**_meta(vector_dims, model_id), "documents": written})
            conn.execute("INSERT OR REPLACE INTO search_alias VALUES (?, ?, ?)", (self._alias(kind), phys, meta))
            conn.execute("COMMIT")
            if old and old[0] != phys:
                self._drop_tables(conn, old[0])
        return written

    def _write_batch(self, conn: sqlite3.Connection, phys: str, batch: list[SearchDocument], dims: int) -> int:
        if not batch:
            return 0
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._write(conn, phys, batch, dims)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return len(batch)

    # -- reads -------------------------------------------------------------------------------------

    def count(self, kind: Kind) -> int:
        return self._conn().execute(f'SELECT count(*) FROM "{self._physical(kind)}_doc"').fetchone()[0]

    def search(self, query: SearchQuery) -> SearchHits:
        for attempt in (1, 2):
            try:
                return self._search(query)
            except sqlite3.OperationalError as exc:
                # A rebuild may drop the tables between reading the alias and running the query.
                if attempt == 2 or "no such table" not in str(exc):
                    raise
        raise AssertionError("unreachable")

    def _search(self, q: SearchQuery) -> SearchHits:
        conn = self._conn()
        phys = self._physical(q.kind)
        where, params = _filters(q, phys)
        if q.groups:
            # CROSS JOIN keeps the full-text match as the outer loop; left to itself the planner may
            # walk a filter index and re-run the MATCH for every row, hundreds of times slower.
            source = f'"{phys}_fts" CROSS JOIN "{phys}_doc" d ON d.id = "{phys}_fts".rowid'
            where.insert(0, f'"{phys}_fts" MATCH ?')
            params.insert(0, fts_match(q))
        else:
            source = f'"{phys}_doc" d'
        cond = " AND ".join(where) or "1"
        order, order_params = _order(q, phys)
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT d.id FROM {source} WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, *order_params, q.per_page, q.offset],
            )
        ]
        if not q.facets:
            total = conn.execute(f"SELECT count(*) FROM {source} WHERE {cond}", params).fetchone()[0]
            return SearchHits(ids=ids, total=total)
        wanted = FACETS[q.kind]
        single = [f for f in _SINGLE_FACETS if f in wanted]
        bits = list(_ADJ_BITS.items()) if "adjustments" in wanted else []
        # One pass for every facet: group by the facet columns together, sum in Python. The groups
        # are few (communities x types x shifts ...), the rows many.
        cols = ", ".join(f"d.{f}" for f in single)
        adj = "".join(f", sum((d.adj_mask & {bit}) != 0)" for _, bit in bits)
        total, facets = 0, {name: {} for name in wanted}
        for row in conn.execute(f"SELECT count(*){adj}, {cols} FROM {source} WHERE {cond} GROUP BY {cols}", params):
            n = row[0]
            total += n
            for (value, bit_count) in zip(bits, row[1 : 1 + len(bits)]):
                if bit_count:
                    facets["adjustments"][value[0]] = facets["adjustments"].get(value[0], 0) + bit_count
            for name, v in zip(single, row[1 + len(bits) :]):
                if v is None:
                    continue
                key = ("true" if v else "false") if name == "home_based" else str(v)
                facets[name][key] = facets[name].get(key, 0) + n
        return SearchHits(ids=ids, total=total, facets=facets)

    def suggest(self, kind: Kind, prefix: str, *, today: date, limit: int = 8) -> list[str]:
        words, last = segment_prefix(prefix)
        if last is None:
            return []
        phys = self._physical(kind)
        parts = [f"text_title : {_quote(w)}" for w in words]
        typed = f"text_title : {_quote(last)} *"
        if not words and is_initials(last):
            typed = f"({typed} OR initials : {_quote(last)} *)"
        parts.append(typed)
        rows = self._conn().execute(
            f'SELECT d.title, count(*) AS n FROM "{phys}_fts" CROSS JOIN "{phys}_doc" d ON d.id = "{phys}_fts".rowid '
            f'WHERE "{phys}_fts" MATCH ? AND d.valid_until >= ? GROUP BY d.title ORDER BY n DESC, d.title LIMIT ?',
            (" AND ".join(parts), today.isoformat(), limit),
        ).fetchall()
        return [r[0] for r in rows]


def _meta(vector_dims: int, model_id: str) -> dict:
    return {"model_id": model_id, "vector_dims": vector_dims, "schema": 1, "built_at": time.time()}


def _tags(d: SearchDocument) -> list[str]:
    return [f"occ:{g}" for g in d.occupation_groups]


def _doc_row(d: SearchDocument) -> tuple:
    vector = np.asarray(d.vector, dtype=np.float32).tobytes() if d.vector is not None else None
    return (
        d.id, d.title, d.community_code, d.lat, d.lon, d.wage_min, d.wage_max, d.hours_per_day, d.days_per_week,
        d.shift, d.employment_type, int(d.home_based), d.employer_id, d.startup_kind, d.amount_yuan, d.posted_ts,
        d.valid_until.isoformat(), *(d.demands.get(x, 0) for x in DOMAIN_NAMES),
        sum(_ADJ_BITS[a] for a in set(d.adjustments)),
        # One middle group per row for the facet: a vacancy has one occupation; a start-up listing
        # several is counted under its first (start-ups are few, and their facet says so).
        d.occupation_mid[0] if d.occupation_mid else None,
        vector,
    )


def _filters(q: SearchQuery, phys: str) -> tuple[list[str], list]:
    where, params = ["d.valid_until >= ?"], [q.today.isoformat()]

    def any_of(column: str, values: Sequence) -> None:
        if values:
            where.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)

    def tagged(tag: str) -> None:
        where.append(f'd.id IN (SELECT doc_id FROM "{phys}_tag" WHERE tag = ?)')
        params.append(tag)

    any_of("d.community_code", q.community_codes)
    box = q.bounding_box()
    if box is not None and q.near is not None and q.radius_km is not None:
        expr, dist_params = _distance_sq(q.near)
        where.append(f"d.lat BETWEEN ? AND ? AND d.lon BETWEEN ? AND ? AND {expr} <= ?")
        params.extend([*box, *dist_params, q.radius_km**2])
    for column, op, value in (
        ("d.wage_max", ">=", q.min_wage),
        ("d.hours_per_day", "<=", q.max_hours_per_day),
        ("d.days_per_week", "<=", q.max_days_per_week),
        ("d.employer_id", "=", q.employer_id),
        ("d.posted_at", ">=", q.posted_since.timestamp() if q.posted_since else None),
    ):
        if value is not None:
            where.append(f"{column} {op} ?")
            params.append(value)
    any_of("d.shift", q.shifts)
    any_of("d.employment_type", q.employment_types)
    any_of("d.startup_kind", q.startup_kinds)
    if q.home_based is not None:
        where.append("d.home_based = ?")
        params.append(int(q.home_based))
    if q.adjustments:
        mask = sum(_ADJ_BITS[a] for a in set(q.adjustments))
        where.append("(d.adj_mask & ?) = ?")
        params.extend([mask, mask])
    for domain, level in q.max_demands:
        if domain not in DOMAIN_NAMES:
            raise ValueError(f"unknown functional domain {domain}")
        where.append(f"d.d_{domain} <= ?")
        params.append(level)
    if q.occupation:
        tagged(f"occ:{normalise_occupation_filter(q.occupation)}")
    return where, params


def _distance_sq(near: tuple[float, float]) -> tuple[str, list]:
    """Squared equirectangular distance in km², plain SQL arithmetic: no per-row Python call, and
    within a walking radius it differs from the great-circle distance by far less than a metre."""
    lat, lon = near
    kx = _KM_PER_DEGREE * math.cos(math.radians(lat))
    return "((d.lat - ?) * ?) * ((d.lat - ?) * ?) + ((d.lon - ?) * ?) * ((d.lon - ?) * ?)", [
        lat, _KM_PER_DEGREE, lat, _KM_PER_DEGREE, lon, kx, lon, kx]


def _order(q: SearchQuery, phys: str) -> tuple[str, list]:
    sort = q.effective_sort
    if sort == Sort.relevance:
        return f'bm25("{phys}_fts", {_WEIGHTS}), d.posted_at DESC, d.id DESC', []
    if sort == Sort.distance and q.near is not None:
        expr, dist_params = _distance_sq(q.near)
        return f"{expr}, d.id DESC", dist_params
    if sort == Sort.wage:
        return "d.wage_max DESC, d.id DESC", []
    return "d.posted_at DESC, d.id DESC", []
