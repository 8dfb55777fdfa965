"""Filters, facets and sorting of the embedded index on in-memory numpy columns.

SQLite FTS5 finds the words; everything structured (distance, wage, hours, limits, facets, order) is
answered here on columns loaded from the index's ``_doc`` table. A row-at-a-time SQL scan would
visit every matching row once per facet, and a walking radius in 甸柳 matches most of the listings;
vectorised columns answer the same in a millisecond or two at 100,000 listings.

A store is immutable; when the index's generation number moves (every write transaction bumps it
and records the ids it touched) the backend builds the next store by re-reading only those rows, so
a search never sees a half-applied write and a saved listing does not cost a full reload.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from estation.physical import DOMAIN_NAMES
from indexing.query import FACETS, SearchHits, SearchQuery, Sort

KM_PER_DEGREE = 111.195
CATEGORIES = ("community_code", "employment_type", "shift", "startup_kind", "occupation_mid")
_NUMBERS = ("lat", "lon", "wage_max", "hours_per_day", "days_per_week", "posted_at", "employer_id", "home_based",
            "adj_mask")
_COLUMNS = ("id", *_NUMBERS, "valid_until", *CATEGORIES, *(f"d_{d}" for d in DOMAIN_NAMES))


@dataclass(frozen=True)
class ColumnStore:
    ids: np.ndarray  # sorted ascending; position i holds the listing ids[i]
    num: dict[str, np.ndarray]
    valid_until: np.ndarray  # proleptic ordinal of the last valid day
    demands: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]  # category -> int code per row, -1 for none
    vocab: dict[str, list[str]]

    @classmethod
    def load(cls, conn: sqlite3.Connection, phys: str, ids: list[int] | None = None) -> ColumnStore:
        """All rows of the index, or only those of ``ids`` (for :meth:`patch`)."""
        where = f"WHERE id IN ({', '.join('?' for _ in ids)})" if ids is not None else ""
        rows = conn.execute(f'SELECT {", ".join(_COLUMNS)} FROM "{phys}_doc" {where} ORDER BY id', ids or []).fetchall()
        return cls._from_rows(rows)

    def patch(self, conn: sqlite3.Connection, phys: str, changed: list[int]) -> ColumnStore:
        """A new store with the rows of ``changed`` re-read: updated, added or (if gone) removed.

        After a listing is saved only its row is read again, not the whole index.
        """
        fresh = ColumnStore.load(conn, phys, changed) if changed else ColumnStore._from_rows([])
        keep = ~np.isin(self.ids, np.array(changed, dtype=np.int64))
        ids = np.concatenate([self.ids[keep], fresh.ids])
        order = np.argsort(ids, kind="stable")

        def join(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.concatenate([a[keep], b])[order]

        codes, vocab = {}, {}
        for name in CATEGORIES:
            names = sorted(set(self.vocab[name]) | set(fresh.vocab[name]))
            index = {v: i for i, v in enumerate(names)}
            # -1 (none) maps to -1 through the extra last slot of each lookup table.
            old = np.array([index[v] for v in self.vocab[name]] + [-1], dtype=np.int32)
            new = np.array([index[v] for v in fresh.vocab[name]] + [-1], dtype=np.int32)
            codes[name] = join(old[self.codes[name]], new[fresh.codes[name]])
            vocab[name] = names
        return ColumnStore(
            ids=ids[order],
            num={k: join(v, fresh.num[k]) for k, v in self.num.items()},
            valid_until=join(self.valid_until, fresh.valid_until),
            demands={k: join(v, fresh.demands[k]) for k, v in self.demands.items()},
            codes=codes,
            vocab=vocab,
        )

    @classmethod
    def _from_rows(cls, rows: list) -> ColumnStore:
        cols = _COLUMNS
        data = list(zip(*rows)) if rows else [() for _ in cols]
        col = dict(zip(cols, data))
        num = {name: np.array([np.nan if v is None else v for v in col[name]], dtype=np.float64) for name in _NUMBERS}
        num["adj_mask"] = num["adj_mask"].astype(np.int64) if len(rows) else np.zeros(0, dtype=np.int64)
        codes, vocab = {}, {}
        for name in CATEGORIES:
            values = col[name]
            names = sorted({v for v in values if v is not None})
            index = {v: i for i, v in enumerate(names)}
            codes[name] = np.array([index.get(v, -1) if v is not None else -1 for v in values], dtype=np.int32)
            vocab[name] = names
        return cls(
            ids=np.array(col["id"], dtype=np.int64).reshape(-1),
            num=num,
            valid_until=np.array([date.fromisoformat(v).toordinal() for v in col["valid_until"]], dtype=np.int64),
            demands={d: np.array(col[f"d_{d}"], dtype=np.int8).reshape(-1) for d in DOMAIN_NAMES},
            codes=codes,
            vocab=vocab,
        )

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of the given listing ids; ids the store does not hold are dropped."""
        pos = np.searchsorted(self.ids, ids)
        pos = np.clip(pos, 0, max(len(self.ids) - 1, 0))
        ok = self.ids[pos] == ids if len(self.ids) else np.zeros(len(ids), dtype=bool)
        return pos[ok]

    def _in(self, name: str, values: tuple[str, ...]) -> np.ndarray:
        wanted = [self.vocab[name].index(v) for v in values if v in self.vocab[name]]
        return np.isin(self.codes[name], wanted)

    def mask(self, q: SearchQuery, *, tagged: np.ndarray | None, adj_bits: dict[str, int]) -> np.ndarray:
        """Rows passing every filter of ``q``; ``tagged`` is the occupation filter's rows, if any."""
        n = self.num
        m = self.valid_until >= q.today.toordinal()
        if q.community_codes:
            m &= self._in("community_code", q.community_codes)
        if q.near is not None and q.radius_km is not None:
            m &= self.distance_sq(q.near) <= q.radius_km**2
        # NaN compares False, so a start-up (no wage, no hours) never passes a wage or hours filter,
        # as a missing field never matches a range query in Elasticsearch.
        if q.min_wage is not None:
            m &= n["wage_max"] >= q.min_wage
        if q.max_hours_per_day is not None:
            m &= n["hours_per_day"] <= q.max_hours_per_day
        if q.max_days_per_week is not None:
            m &= n["days_per_week"] <= q.max_days_per_week
        if q.employer_id is not None:
            m &= n["employer_id"] == q.employer_id
        if q.posted_since is not None:
            m &= n["posted_at"] >= q.posted_since.timestamp()
        for name, values in (("shift", q.shifts), ("employment_type", q.employment_types),
                             ("startup_kind", q.startup_kinds)):
            if values:
                m &= self._in(name, values)
        if q.home_based is not None:
            m &= n["home_based"] == int(q.home_based)
        if q.adjustments:
            bits = sum(adj_bits[a] for a in set(q.adjustments))
            m &= (n["adj_mask"] & bits) == bits
        for domain, level in q.max_demands:
            if domain not in self.demands:
                raise ValueError(f"unknown functional domain {domain}")
            m &= self.demands[domain] <= level
        if tagged is not None:
            m &= tagged
        return m

    def distance_sq(self, near: tuple[float, float], rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Squared equirectangular distance in km²: within a walking radius it differs from the
        great-circle distance Elasticsearch uses by far less than a metre."""
        lat, lon = near
        kx = KM_PER_DEGREE * math.cos(math.radians(lat))
        dy = (self.num["lat"][rows] - lat) * KM_PER_DEGREE
        dx = (self.num["lon"][rows] - lon) * kx
        return dx * dx + dy * dy

    def facets(self, q: SearchQuery, rows: np.ndarray, adj_bits: dict[str, int]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in FACETS[q.kind]:
            if name == "adjustments":
                masks = self.num["adj_mask"][rows]
                counts = {a: int(np.count_nonzero(masks & bit)) for a, bit in adj_bits.items()}
                out[name] = {a: c for a, c in counts.items() if c}
            elif name == "home_based":
                yes = int(np.count_nonzero(self.num["home_based"][rows] == 1))
                out[name] = {k: v for k, v in (("true", yes), ("false", len(rows) - yes)) if v}
            else:
                codes = self.codes[name][rows]
                bins = np.bincount(codes[codes >= 0], minlength=len(self.vocab[name]))
                out[name] = {self.vocab[name][i]: int(c) for i, c in enumerate(bins) if c}
        return out

    def order(self, q: SearchQuery, rows: np.ndarray, scores: np.ndarray | None) -> np.ndarray:
        """``rows`` in result order, only as far as the requested page needs."""
        if len(rows) == 0:
            return rows
        ids = self.ids[rows].astype(np.float64)
        sort = q.effective_sort
        if sort == Sort.relevance and scores is not None:
            # bm25() is lower-is-better; then newest, then the higher id, as the ES dialect sorts.
            keys: tuple[np.ndarray, ...] = (-ids, -self.num["posted_at"][rows], scores)
        elif sort == Sort.distance and q.near is not None:
            keys = (-ids, self.distance_sq(q.near, rows))
        elif sort == Sort.wage:
            keys = (-ids, np.nan_to_num(-self.num["wage_max"][rows], nan=np.inf))
        else:
            keys = (-ids, -self.num["posted_at"][rows])
        need = q.offset + q.per_page
        primary = keys[-1]
        if need < len(rows):
            # Only rows whose primary key can reach the page are sorted fully (ties included).
            kth = np.partition(primary, need - 1)[need - 1]
            keep = primary <= kth
            rows, keys = rows[keep], tuple(k[keep] for k in keys)
        return rows[np.lexsort(keys)][q.offset : need]


def filter_key(q: SearchQuery) -> SearchQuery:
    """``q`` without what does not filter (its words, order, page and facets): two queries with the same
    key pass the same rows of a store, so the embedded backend keeps the mask of a key per snapshot."""
    return replace(q, text="", sort=Sort.relevance, page=1, per_page=20, facets=False)


def hit_rows(store: ColumnStore, text_hits: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The full-text hits (ids, bm25 scores) as rows of ``store`` with their scores; ids it lacks dropped."""
    hit_ids, hit_scores = text_hits
    pos = np.searchsorted(store.ids, hit_ids)
    pos = np.clip(pos, 0, max(len(store.ids) - 1, 0))
    ok = (store.ids[pos] == hit_ids) if len(store.ids) else np.zeros(len(hit_ids), dtype=bool)
    return pos[ok], hit_scores[ok]


def tagged_rows(store: ColumnStore, tagged_ids: np.ndarray | None) -> np.ndarray | None:
    """The occupation filter's listing ids as a mask over ``store``'s rows."""
    if tagged_ids is None:
        return None
    tagged = np.zeros(len(store.ids), dtype=bool)
    tagged[store.positions(tagged_ids)] = True
    return tagged


def search(store: ColumnStore, q: SearchQuery, *, mask: np.ndarray, text_rows: tuple[np.ndarray, np.ndarray] | None,
           adj_bits: dict[str, int]) -> SearchHits:
    """Combine the rows passing the filters (``mask``, :meth:`ColumnStore.mask`) with the full-text hits
    (rows and bm25 scores, :func:`hit_rows`), the facets and the order."""
    scores = None
    if text_rows is not None:
        pos, hit_scores = text_rows
        keep = mask[pos]
        rows, scores = pos[keep], hit_scores[keep]
    else:
        rows = np.flatnonzero(mask)
    page = store.order(q, rows, scores)
    facets = store.facets(q, rows, adj_bits) if q.facets else {}
    return SearchHits(ids=[int(i) for i in store.ids[page]], total=int(len(rows)), facets=facets)
