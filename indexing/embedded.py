"""The embedded backend: SQLite FTS5 in its own file under ``var/``, with the vectors beside it.

No server: the index lives in ``<var_dir>/search.sqlite3``, separate from the main database so a
rebuild or a corrupt index never touches the records. Per kind there is an alias row pointing at a
set of physical tables (``<name>_doc`` filter columns and vector, ``<name>_fts`` the segmented text,
``<name>_tag`` multi-valued keywords); a rebuild fills new tables and moves the alias in one
transaction, as Elasticsearch does with an index alias.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from estation.jobs.models import Adjustment
from estation.physical import DOMAIN_NAMES
from indexing.documents import Kind, SearchDocument, normalise_occupation_filter
from indexing import columns
from indexing.columns import ColumnStore
from indexing.matrix import MatrixCache, VectorMatrix
from indexing.query import SearchBackend, SearchHits, SearchQuery, Sort
from indexing.text import is_initials, segment_prefix
from indexing.vectors import Filters, KnnRequest, Neighbours, as_matrix, check_space, filter_list

_WORDS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="estation-words")
"""Where knn_and_search runs the words' queries, beside the vector scan (the machine has two cores)."""

_BATCH = 1000
_TEXT_COLUMNS = ("text_title", "text_body", "text_terms", "initials")
# bm25 weights in the order of _TEXT_COLUMNS; the same boosts as the Elasticsearch dialect.
_WEIGHTS = "3.0, 1.0, 2.0, 1.0"
# The description is left out of the broad-word score: a word such as 甸柳 is in nearly every
# address, and reading its whole posting list again would cost more than the search itself.
_COLUMN_WEIGHTS = (("text_title", 3.0), ("text_terms", 2.0))
BM25_MAX_HITS = 2000
"""Words matching more listings than this are scored by matched columns instead of bm25 (:func:`_text_hits`)."""
CHANGE_LOG = 500
"""Generations of changed ids kept for readers to catch up by patching instead of reloading."""
CACHED_HIT_ROWS = 3_000_000
"""Rows of word matches (with their scores) one backend keeps for the current snapshot, about 50 MB:
a resident's words (保洁, 收银, 门卫) recur, and a common word matches tens of thousands of listings."""
CACHED_MASKS = 64
"""Filter masks (one bool per listing) one backend keeps for the current snapshot."""
APPROXIMATE_FROM = 200_000
"""From this many vectors kNN is answered by the approximate index (indexing/ann.py), not the exact scan:
below it the scan takes a few milliseconds; None keeps the exact scan at any size."""
_DOC_COLUMNS = (
    "id", "title", "community_code", "lat", "lon", "wage_min", "wage_max", "hours_per_day", "days_per_week",
    "shift", "employment_type", "home_based", "employer_id", "startup_kind", "amount_yuan", "posted_at",
    "valid_until", *(f"d_{d}" for d in DOMAIN_NAMES), "adj_mask", "occupation_mid", "vector",
)
# Adjustments as bits of one integer: a filter is one AND, the facet one SUM per bit, no join.
_ADJ_BITS = {a.value: 1 << i for i, a in enumerate(Adjustment)}



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


class SnapshotCache:
    """What one snapshot of an index answers the same every time it is asked: the rows a word
    expression matches (with their scores) and the rows a filter passes.

    A snapshot is (physical index, generation); every write transaction moves the generation, and a
    rebuild the physical index, so an entry is only ever read for the snapshot it was computed in:
    when a reader's snapshot differs the cache is emptied first. Nothing cached can be stale, and no
    write needs to clear it. Arrays handed out are read-only (one is shared by concurrent readers).

    A word's matches that do not depend on the rest of the index (any order but relevance, and the
    column-weighted score of a word matching more than bm25_max_hits listings) are carried to the next
    generation with the ids they hold: the next reader patches them with the listings written since
    (:func:`_patched_hits`) instead of asking FTS5 for tens of thousands of rows again."""

    def __init__(self, *, max_hit_rows: int = CACHED_HIT_ROWS, max_masks: int = CACHED_MASKS) -> None:
        self.max_hit_rows, self.max_masks = max_hit_rows, max_masks
        self._lock = threading.Lock()
        self._snapshot: tuple[str, int] | None = None
        # key -> (rows, row scores, and for an entry that can be carried: its ids and their scores)
        self._hits: OrderedDict[object, tuple[np.ndarray, np.ndarray, tuple | None]] = OrderedDict()
        self._hit_rows = 0
        self._masks: OrderedDict[object, np.ndarray] = OrderedDict()
        # key -> (generation, ids, scores): matches of an earlier generation of the same physical index
        self._carried: OrderedDict[object, tuple[int, np.ndarray, np.ndarray]] = OrderedDict()

    def _at(self, snapshot: tuple[str, int]) -> bool:
        """Under the lock: move to ``snapshot`` if it is not the cached one; False for an older reader's
        snapshot (the same physical index at an earlier generation), which is neither read nor kept."""
        if self._snapshot == snapshot:
            return True
        if self._snapshot is not None and self._snapshot[0] == snapshot[0] and self._snapshot[1] > snapshot[1]:
            return False
        if self._snapshot is not None and self._snapshot[0] == snapshot[0]:
            for key, (_rows, _scores, carry) in self._hits.items():
                if carry is not None:
                    self._carried.pop(key, None)
                    self._carried[key] = (self._snapshot[1], *carry)
            while sum(len(c[1]) for c in self._carried.values()) > self.max_hit_rows:
                self._carried.popitem(last=False)
        else:
            self._carried.clear()
        self._snapshot = snapshot
        self._hits.clear()
        self._masks.clear()
        self._hit_rows = 0
        return True

    def hits(self, snapshot: tuple[str, int], key: object, compute) -> tuple[np.ndarray, np.ndarray]:
        """The rows ``key`` matches in ``snapshot``; ``compute(carried)`` answers a miss, given the
        matches an earlier generation carried ((generation, ids, scores), or None), and returns
        (rows, row scores, (ids, scores) if the answer can be carried on, else None)."""
        with self._lock:
            if not self._at(snapshot):
                carried = None
            elif key in self._hits:
                self._hits.move_to_end(key)
                return self._hits[key][:2]
            else:
                carried = self._carried.get(key)
        rows, scores, carry = compute(carried)
        for array in (rows, scores, *(carry or ())):
            array.flags.writeable = False
        with self._lock:
            if self._at(snapshot) and key not in self._hits and len(rows) <= self.max_hit_rows:
                self._carried.pop(key, None)
                self._hits[key] = (rows, scores, carry)
                self._hit_rows += len(rows)
                while self._hit_rows > self.max_hit_rows:
                    _key, (evicted, _scores, _carry) = self._hits.popitem(last=False)
                    self._hit_rows -= len(evicted)
        return rows, scores

    def mask(self, snapshot: tuple[str, int], key: object, compute) -> np.ndarray:
        with self._lock:
            if self._at(snapshot) and key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        mask = compute()
        mask.flags.writeable = False
        with self._lock:
            if self._at(snapshot):
                self._masks[key] = mask
                while len(self._masks) > self.max_masks:
                    self._masks.popitem(last=False)
        return mask


class EmbeddedBackend(SearchBackend):
    """Lexical search, kNN and similarities over one SQLite file (see the module's docstring)."""

    name = "embedded"

    def __init__(self, path: Path | str, *, prefix: str = "estation", bm25_max_hits: int = BM25_MAX_HITS,
                 change_log: int = CHANGE_LOG, approximate_from: int | None = APPROXIMATE_FROM) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.bm25_max_hits = bm25_max_hits
        """Above this many listings a word's order is by matched columns, not bm25 (what it reads)."""
        self.change_log = change_log
        """Generations of changed ids this backend's writes keep (:data:`CHANGE_LOG`)."""
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._load_lock = threading.Lock()
        self._stores: dict[str, tuple[int, ColumnStore]] = {}
        self._matrices = MatrixCache(approximate_from=approximate_from)
        self._cache = SnapshotCache()
        conn = self._conn()
        conn.execute("CREATE TABLE IF NOT EXISTS search_alias (alias TEXT PRIMARY KEY, physical TEXT, meta TEXT)")
        # Bumped by every write transaction; readers reload their columns when it moves.
        conn.execute("CREATE TABLE IF NOT EXISTS search_generation (physical TEXT PRIMARY KEY, gen INTEGER NOT NULL)")
        conn.execute("CREATE TABLE IF NOT EXISTS search_change (physical TEXT, gen INTEGER, doc_id INTEGER)")
        conn.execute("CREATE INDEX IF NOT EXISTS search_change_gen ON search_change (physical, gen)")

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
        conn.execute("DELETE FROM search_generation WHERE physical = ?", (phys,))
        conn.execute("DELETE FROM search_change WHERE physical = ?", (phys,))

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

    def _write(self, conn: sqlite3.Connection, phys: str, docs: Sequence[SearchDocument], dims: int,
               *, log: bool = True) -> None:
        for d in docs:
            # Elasticsearch refuses a vector of the wrong size; so does this backend, or they would differ.
            if d.vector is not None and len(d.vector) != dims:
                raise ValueError(f"vector of {len(d.vector)} dimensions for {d.kind} {d.id}; the index has {dims}")
        ids = [(d.id,) for d in docs]
        _bump(conn, phys, [d.id for d in docs] if log else [], keep=self.change_log)
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
            _bump(conn, phys, list(ids), keep=self.change_log)
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
                # A new index is always read whole; logging its ids for patching would be waste.
                self._write(conn, phys, batch, dims, log=False)
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

    def _store(self, conn: sqlite3.Connection, phys: str, gen: int) -> ColumnStore:
        cached = self._stores.get(phys)
        if cached is not None and cached[0] == gen:
            return cached[1]
        with self._load_lock:
            cached = self._stores.get(phys)
            if cached is not None and cached[0] < gen:
                changed = conn.execute(
                    "SELECT DISTINCT doc_id FROM search_change WHERE physical = ? AND gen > ? AND gen <= ?",
                    (phys, cached[0], gen),
                ).fetchall()
                oldest = conn.execute("SELECT min(gen) FROM search_change WHERE physical = ?", (phys,)).fetchone()[0]
                # The change log is pruned; a reader that fell further behind reloads everything.
                if oldest is not None and oldest <= cached[0] + 1:
                    cached = (gen, cached[1].patch(conn, phys, [r[0] for r in changed]))
                    self._stores = {phys: cached}
                    return cached[1]
            if cached is None or cached[0] != gen:
                cached = (gen, ColumnStore.load(conn, phys))
                # Only the current physical index is kept; a swapped-out one is dropped here.
                self._stores = {phys: cached}
            return cached[1]

    def _snapshot(self, conn: sqlite3.Connection, kind: Kind) -> tuple[str, int, ColumnStore]:
        """(physical index, generation, column store) behind the alias of ``kind``; call it inside a read
        transaction so that what is read next comes from the same snapshot."""
        row = conn.execute(
            "SELECT a.physical, coalesce(g.gen, 0) FROM search_alias a "
            "LEFT JOIN search_generation g ON g.physical = a.physical WHERE a.alias = ?",
            (self._alias(kind),),
        ).fetchone()
        if row is None:
            raise LookupError(f"no embedded index for {kind}: run `estation index rebuild`")
        phys, gen = row
        return phys, gen, self._store(conn, phys, gen)

    def _search(self, q: SearchQuery) -> SearchHits:
        conn = self._conn()
        # One read transaction: the columns, the words and the tags all come from the same snapshot.
        conn.execute("BEGIN")
        try:
            phys, gen, store = self._snapshot(conn, q.kind)
            text_rows = self._text_rows(conn, (phys, gen), store, q) if q.groups else None
            mask = self._mask(conn, (phys, gen), store, [q])
        finally:
            conn.execute("COMMIT")
        return columns.search(store, q, mask=mask, text_rows=text_rows, adj_bits=_ADJ_BITS)

    def _text_rows(self, conn: sqlite3.Connection, snapshot: tuple[str, int], store: ColumnStore,
                   q: SearchQuery) -> tuple[np.ndarray, np.ndarray]:
        """The rows of ``store`` matching the words of ``q``, with their scores (:func:`_text_hits`);
        kept for the snapshot: the same words ask FTS5 once per generation of the index."""
        key = (fts_match(q), q.effective_sort == Sort.relevance)

        def compute(carried):
            hits = None
            if carried is not None:
                hits = _patched_hits(conn, snapshot, q, carried, bm25_max_hits=self.bm25_max_hits)
            if hits is None:
                hits = _text_hits(conn, snapshot[0], q, bm25_max_hits=self.bm25_max_hits)
            # bm25 scores move with every write (they count the whole index): those are not carried.
            carry = hits if q.effective_sort != Sort.relevance or len(hits[0]) > self.bm25_max_hits else None
            return (*columns.hit_rows(store, hits), carry)

        return self._cache.hits(snapshot, key, compute)

    def _mask(self, conn: sqlite3.Connection, snapshot: tuple[str, int], store: ColumnStore,
              queries: Sequence[SearchQuery]) -> np.ndarray:
        """The rows of ``store`` passing the filters of any of ``queries`` (OR-ed), kept for the
        snapshot: a recommendation asks the same limits of its word searches and of its kNN."""
        def compute() -> np.ndarray:
            mask = np.zeros(len(store.ids), dtype=bool)
            for f in queries:
                tagged = columns.tagged_rows(store, _tagged(conn, snapshot[0], f.occupation) if f.occupation else None)
                mask |= store.mask(f, tagged=tagged, adj_bits=_ADJ_BITS)
            return mask

        return self._cache.mask(snapshot, tuple(columns.filter_key(f) for f in queries), compute)

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

    # -- vectors: the VectorSearch capability ----------------------------------------------------

    def _vectors(self, kind: Kind, dims: int, model_id: str, filters: Sequence[Filters] = ()) \
            -> tuple[VectorMatrix, list[np.ndarray]]:
        """The vector matrix of ``kind``'s index and, per entry of ``filters``, the mask of the listings
        passing it: the columns, the tags and the vectors from one snapshot."""
        check_space(self.index_meta(kind), model_id=model_id, dims=dims)
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            phys, gen, store = self._snapshot(conn, kind)
            masks = [self._mask(conn, (phys, gen), store, filter_list(f)) for f in filters]
            matrix = self._matrices.get(conn, phys, gen, dims, store.ids)
        finally:
            conn.execute("COMMIT")
        if not np.array_equal(matrix.ids, store.ids):
            raise RuntimeError("vector matrix and column store disagree; retry")
        return matrix, masks

    def knn_and_search(self, kind: Kind, vectors: ArrayLike, requests: Sequence[KnnRequest],
                       queries: Sequence[SearchQuery], *, model_id: str) -> tuple[list[list[Neighbours]],
                                                                                  list[SearchHits]]:
        """The words' queries run in a second thread while this one scans the vectors: the full-text
        search and the matrix product both release the GIL."""
        words = _WORDS.submit(lambda: [self.search(q) for q in queries])
        try:
            near = self.knn_sets(kind, vectors, requests, model_id=model_id)
        finally:
            hits = words.result()
        return near, hits

    def knn_sets(self, kind: Kind, vectors: ArrayLike, requests: Sequence[KnnRequest], *,
                 model_id: str) -> list[list[Neighbours]]:
        """Nearest listings by cosine: one exact scan of the in-memory matrix answers every request and
        every query vector; from ``approximate_from`` vectors on, the approximate index (exact cosines
        of approximate neighbours)."""
        q = as_matrix(vectors)
        matrix, masks = self._vectors(kind, q.shape[1], model_id, [f for _k, f in requests])
        return matrix.scan(q, masks, [k for k, _f in requests])

    def similarities(self, kind: Kind, ids: Sequence[int], vectors: ArrayLike, *,
                     model_id: str) -> dict[int, list[float]]:
        """Read from the in-memory matrix: no scan."""
        q = as_matrix(vectors)
        if not len(ids) or not len(q):
            return {}
        stored = self.vector_matrix(kind, dims=q.shape[1], model_id=model_id).rows(ids)
        found = sorted(stored)
        if not found:
            return {}
        cos = np.stack([stored[i] for i in found]) @ q.T
        return {i: [float(x) for x in cos[n]] for n, i in enumerate(found)}

    def vector_matrix(self, kind: Kind, *, dims: int, model_id: str) -> VectorMatrix:
        """The in-memory matrix of ``kind``'s current index (what a kNN query scans)."""
        return self._vectors(kind, dims, model_id)[0]


def _tagged(conn: sqlite3.Connection, phys: str, occupation: str) -> np.ndarray:
    """Ids of the listings tagged with an occupation code or group."""
    tag = f"occ:{normalise_occupation_filter(occupation)}"
    return np.array([r[0] for r in conn.execute(f'SELECT doc_id FROM "{phys}_tag" WHERE tag = ?', (tag,))],
                    dtype=np.int64)


def _rowids(conn: sqlite3.Connection, phys: str, match: str) -> np.ndarray:
    cur = conn.execute(f'SELECT rowid FROM "{phys}_fts" WHERE "{phys}_fts" MATCH ?', (match,))
    return np.fromiter((r[0] for r in cur), dtype=np.int64)


def _text_hits(conn: sqlite3.Connection, phys: str, q: SearchQuery, *,
               bm25_max_hits: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids matching the words, with a lower-is-better score when the order is by relevance.

    bm25() costs several times more per row than the match itself. For selective words it is used as
    it is; for words found in thousands of listings (兼职, 甸柳) its differences are mostly length
    noise, so the score is the column-weighted count of matched words (title 3, occupation and labels
    2, as the Elasticsearch dialect boosts them; a match only in the description counts 0), and newest
    first among equals.
    """
    match = fts_match(q)
    if q.effective_sort != Sort.relevance:
        ids = _rowids(conn, phys, match)
        return ids, np.zeros(len(ids))
    ids = _rowids(conn, phys, match)
    if len(ids) <= bm25_max_hits:
        rows = conn.execute(
            f'SELECT rowid, bm25("{phys}_fts", {_WEIGHTS}) FROM "{phys}_fts" WHERE "{phys}_fts" MATCH ?', (match,)
        ).fetchall()
        arr = np.array(rows, dtype=np.float64).reshape(-1, 2)
        return arr[:, 0].astype(np.int64), arr[:, 1]
    ids.sort()
    score = np.zeros(len(ids))
    for g in q.groups:
        alts = " OR ".join(_quote(a) for a in g.alternatives)
        for column, weight in _COLUMN_WEIGHTS:
            hit = _rowids(conn, phys, f"{column} : ({alts})")
            score -= weight * np.isin(ids, hit, assume_unique=True)
    return ids, score


def _rowids_among(conn: sqlite3.Connection, phys: str, match: str, among: np.ndarray) -> np.ndarray:
    """The ids of ``among`` matching ``match``."""
    found = []
    for start in range(0, len(among), 500):
        chunk = [int(i) for i in among[start:start + 500]]
        marks = ", ".join("?" for _ in chunk)
        found += [r[0] for r in conn.execute(
            f'SELECT rowid FROM "{phys}_fts" WHERE "{phys}_fts" MATCH ? AND rowid IN ({marks})', (match, *chunk))]
    return np.array(sorted(found), dtype=np.int64)


def _patched_hits(conn: sqlite3.Connection, snapshot: tuple[str, int], q: SearchQuery,
                  carried: tuple[int, np.ndarray, np.ndarray], *, bm25_max_hits: int) \
        -> tuple[np.ndarray, np.ndarray] | None:
    """What :func:`_text_hits` answers in ``snapshot``, from its answer at an earlier generation
    (``carried``: generation, ids, scores) with only the listings written since matched again; None
    when the change log no longer reaches back, or the word now matches few enough listings for bm25."""
    phys, gen = snapshot
    old_gen, ids, scores = carried
    oldest = conn.execute("SELECT min(gen) FROM search_change WHERE physical = ?", (phys,)).fetchone()[0]
    if oldest is None or oldest > old_gen + 1:
        return None
    changed = np.array(sorted({r[0] for r in conn.execute(
        "SELECT DISTINCT doc_id FROM search_change WHERE physical = ? AND gen > ? AND gen <= ?",
        (phys, old_gen, gen))}), dtype=np.int64)
    keep = ~np.isin(ids, changed)
    found = _rowids_among(conn, phys, fts_match(q), changed)
    found_scores = np.zeros(len(found))
    relevance = q.effective_sort == Sort.relevance
    if relevance and len(found):
        # The same column-weighted score as _text_hits gives a word matching many listings.
        for g in q.groups:
            alts = " OR ".join(_quote(a) for a in g.alternatives)
            for column, weight in _COLUMN_WEIGHTS:
                found_scores -= weight * np.isin(found, _rowids_among(conn, phys, f"{column} : ({alts})", found))
    ids = np.concatenate([ids[keep], found])
    scores = np.concatenate([scores[keep], found_scores])
    order = np.argsort(ids, kind="stable")
    if relevance and len(ids) <= bm25_max_hits:
        return None
    return ids[order], scores[order]


def _bump(conn: sqlite3.Connection, phys: str, ids: list[int], *, keep: int) -> None:
    """Move the index's generation on and log which listings this write touched (the last ``keep`` generations)."""
    gen = conn.execute(
        "INSERT INTO search_generation VALUES (?, 1) ON CONFLICT (physical) DO UPDATE SET gen = gen + 1 "
        "RETURNING gen", (phys,)
    ).fetchone()[0]
    conn.executemany("INSERT INTO search_change VALUES (?, ?, ?)", [(phys, gen, i) for i in ids])
    conn.execute("DELETE FROM search_change WHERE physical = ? AND gen < ?", (phys, gen - keep))


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
