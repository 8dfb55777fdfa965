"""The embedded backend's own machinery: column stores patched after writes, never stale."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from indexing.documents import SearchDocument
from indexing.embedded import EmbeddedBackend
from indexing.query import SearchQuery, Sort
from indexing.text import document_text, initials_tokens

TODAY = date.today()


def doc(i: int, title: str, **kw) -> SearchDocument:
    base = dict(
        kind="vacancy", id=i, title=title, text_title=document_text(title), text_body="", text_terms="",
        initials=initials_tokens(title), lat=36.66 + i / 1000, lon=117.06, community_code=f"37010200900{i % 3}",
        posted_at=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i), valid_until=TODAY,
        wage_min=2500, wage_max=3000 + i, hours_per_day=8.0, days_per_week=5, shift="day",
        employment_type="full_time", adjustments=[], demands={}, employer_id=1,
    )
    base.update(kw)
    return SearchDocument(**base)  # type: ignore[arg-type]


QUERIES = [
    SearchQuery(today=TODAY),
    SearchQuery(today=TODAY, text="保洁"),
    SearchQuery(today=TODAY, sort=Sort.wage),
    SearchQuery(today=TODAY, community_codes=("370102009009",)),
    SearchQuery(today=TODAY, shifts=("night",), adjustments=("seated_work",)),
    SearchQuery(today=TODAY, near=(36.665, 117.06), radius_km=0.4, sort=Sort.distance),
]


def answers(b: EmbeddedBackend) -> list:
    return [(h.ids, h.total, h.facets) for h in (b.search(q) for q in QUERIES)]


def wage_of(path: Path, listing: int, wage_max: int) -> None:
    """Change a listing's wage in the index file behind the backends' backs: no generation moves, so
    only a reader that reads that row again (a full load) can see it."""
    backend = EmbeddedBackend(path, prefix="p")
    phys = backend.index_meta("vacancy")["index"]
    backend.close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(f'UPDATE "{phys}_doc" SET wage_max = ? WHERE id = ?', (wage_max, listing))


def test_patched_columns_answer_like_a_fresh_load(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    writer = EmbeddedBackend(path, prefix="p")
    writer.rebuild("vacancy", [doc(i, "小区保洁员" if i % 2 else "门卫") for i in range(1, 21)],
                   vector_dims=4, model_id="m")
    reader = EmbeddedBackend(path, prefix="p")
    answers(reader)  # the reader now holds columns for the first generation
    wage_of(path, 1, 99999)  # listing 1 would lead the wage order for a reader that read the index again
    # A new community (a category value never seen), a changed shift and adjustments, a deletion, an addition.
    writer.upsert("vacancy", [
        doc(3, "夜班保洁员", community_code="370102009009", shift="night", adjustments=["seated_work"]),
        doc(21, "保洁主管", wage_max=9000),
    ])
    writer.delete("vacancy", [4, 5])
    patched = answers(reader)
    assert patched[2][0][0] == 21  # the reader patched the changed rows; it did not read the index again
    wage_of(path, 1, doc(1, "").wage_max)
    assert patched == answers(EmbeddedBackend(path, prefix="p"))
    assert patched[3][0] == [3] and patched[4][0] == [3]
    assert 4 not in patched[0][0] and patched[0][1] == 19


def test_a_reader_far_behind_reloads_everything(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    writer = EmbeddedBackend(path, prefix="p", change_log=2)
    writer.rebuild("vacancy", [doc(i, "门卫") for i in range(1, 7)], vector_dims=4, model_id="m")
    reader = EmbeddedBackend(path, prefix="p")
    answers(reader)
    wage_of(path, 6, 99999)  # never written again: only a reader that reads the whole index sees it
    for i in range(1, 6):  # more generations than the writer's log keeps
        writer.upsert("vacancy", [replace(doc(i, "门卫"), wage_max=10000 + i)])
    assert reader.search(SearchQuery(today=TODAY, sort=Sort.wage)).ids == [6, 5, 4, 3, 2, 1]
    assert answers(reader) == answers(EmbeddedBackend(path, prefix="p"))


def fts_delete_behind(path: Path, listing: int) -> None:
    """Remove a listing's words from the index file behind the backends' backs: no generation moves."""
    backend = EmbeddedBackend(path, prefix="p")
    phys = backend.index_meta("vacancy")["index"]
    backend.close()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(f'DELETE FROM "{phys}_fts" WHERE rowid = ?', (listing,))


NEAR = (36.665, 117.06)


def test_word_matches_and_filters_are_kept_per_generation(tmp_path: Path) -> None:
    """A reader keeps what a snapshot answers (the listings a word matches, the rows a filter passes)
    and reads them again once a write moves the index on: what it answers is a fresh reader's."""
    path = tmp_path / "search.sqlite3"
    writer = EmbeddedBackend(path, prefix="p")
    unit = [1.0, 0.0, 0.0, 0.0]
    writer.rebuild("vacancy", [doc(i, "小区保洁员" if i % 2 else "门卫", vector=unit) for i in range(1, 21)],
                   vector_dims=4, model_id="m")
    reader = EmbeddedBackend(path, prefix="p")
    words = SearchQuery(today=TODAY, text="保洁", near=NEAR, radius_km=1.0, facets=False)
    near = SearchQuery(today=TODAY, near=NEAR, radius_km=1.0)

    def knn() -> list[int]:
        (hits,) = reader.knn_sets("vacancy", [unit], [(50, near)], model_id="m")[0]
        return sorted(i for i, _ in hits)

    first = reader.search(words)
    assert first.ids and all(i % 2 for i in first.ids)
    within = knn()
    assert within == [i for i in range(1, 21) if abs(36.66 + i / 1000 - NEAR[0]) * 111.195 <= 1.0]
    fts_delete_behind(path, first.ids[0])  # a reader that asked FTS5 again would lose it
    assert reader.search(words).ids == first.ids  # the same snapshot: answered from what the reader kept
    # A write moves the generation: a new listing matching the words, one moved out of reach.
    far = within[0]
    writer.upsert("vacancy", [doc(21, "保洁主管", lat=36.665, vector=unit),
                              doc(far, "门卫" if far % 2 == 0 else "小区保洁员", lat=37.5, vector=unit)])
    fresh = EmbeddedBackend(path, prefix="p")
    again = reader.search(words)
    assert again.ids == fresh.search(words).ids and again.total == fresh.search(words).total
    assert 21 in again.ids and first.ids[0] not in again.ids and far not in again.ids
    assert knn() == sorted((set(within) - {far}) | {21})
    assert reader.search(near).total == fresh.search(near).total


def test_parallel_readers_share_one_cache(tmp_path: Path) -> None:
    """Threads of one backend asking the same and different words at once get a fresh reader's answers."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "search.sqlite3"
    titles = ["小区保洁员", "门卫", "收银员", "保洁主管"]
    EmbeddedBackend(path, prefix="p").rebuild(
        "vacancy", [doc(i, titles[i % 4]) for i in range(1, 201)], vector_dims=4, model_id="m")
    queries = [SearchQuery(today=TODAY, text=t, near=NEAR, radius_km=r, per_page=100)
               for t in ("保洁", "门卫", "收银") for r in (0.5, 2.0, 50.0)]
    want = [(h.ids, h.total, h.facets) for h in map(EmbeddedBackend(path, prefix="p").search, queries)]
    shared = EmbeddedBackend(path, prefix="p")
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(lambda n: [(h.ids, h.total, h.facets) for h in map(shared.search, queries[n % 9:]
                                                                                + queries[:n % 9])], range(30)))
    for n, answer in enumerate(got):
        assert answer == want[n % 9:] + want[:n % 9]


def test_the_kept_word_matches_stay_within_their_budget() -> None:
    """The oldest word matches make way for new ones; an answer too big to keep is answered, not kept."""
    import numpy as np

    from indexing.embedded import SnapshotCache

    cache = SnapshotCache(max_hit_rows=10)
    asked: list[str] = []

    def hits(word: str, n: int):
        def compute(_carried):
            asked.append(word)
            return np.arange(n, dtype=np.int64), np.zeros(n), None
        return cache.hits(("p", 1), word, compute)

    assert len(hits("保洁", 4)[0]) == 4 and len(hits("门卫", 4)[0]) == 4
    hits("保洁", 4)
    assert asked == ["保洁", "门卫"]  # kept
    hits("收银", 4)  # 12 rows: the least recently asked (门卫) makes way
    hits("保洁", 4)
    hits("门卫", 4)
    assert asked == ["保洁", "门卫", "收银", "门卫"]
    assert len(hits("兼职", 11)[0]) == 11 and len(hits("兼职", 11)[0]) == 11
    assert asked[-2:] == ["兼职", "兼职"]  # more than the budget: never kept
    hits("保洁", 4)
    cache.hits(("p", 2), "保洁", lambda _carried: (asked.append("保洁@2") or np.arange(4), np.zeros(4), None))
    assert asked[-1] == "保洁@2"  # the next generation asks again


def test_a_common_words_matches_are_patched_after_writes(tmp_path: Path) -> None:
    """A word matching many listings (scored by matched columns, not bm25) is carried to the next
    generation and patched with the listings written since: the same answer as a fresh reader's,
    without asking FTS5 for every match again; a reader the change log no longer reaches asks again."""
    path = tmp_path / "search.sqlite3"

    def backend(**kw) -> EmbeddedBackend:
        return EmbeddedBackend(path, prefix="p", bm25_max_hits=3, **kw)

    def listing(i: int) -> SearchDocument:
        if i % 3 == 0:
            return doc(i, "小区保洁员")
        if i % 3 == 1:
            return doc(i, "门卫", text_body=document_text("兼做保洁"))  # the word only in the description
        return doc(i, "收银员")

    writer = backend()
    writer.rebuild("vacancy", [listing(i) for i in range(1, 31)], vector_dims=4, model_id="m")
    reader = backend()
    queries = [SearchQuery(today=TODAY, text="保洁", per_page=100, facets=False),
               SearchQuery(today=TODAY, text="保洁", sort=Sort.newest, per_page=100, facets=False),
               SearchQuery(today=TODAY, text="门卫", per_page=100, facets=False)]

    def answers(b: EmbeddedBackend) -> list:
        return [(h.ids, h.total) for h in map(b.search, queries)]

    before = answers(reader)
    assert before == answers(backend()) and before[0][0][-1] == 1  # the oldest of those matching in a description
    # Listing 1's word moves into its title (it ranks with the titles now), 3 loses it, 31 is new, 6 is gone.
    writer.upsert("vacancy", [doc(1, "保洁主管"), doc(3, "收银员"), doc(31, "门卫", text_body=document_text("保洁"))])
    writer.delete("vacancy", [6])
    fts_delete_behind(path, 9)  # an unchanged listing's words, gone behind the backs: only a full read loses it
    patched, fresh = answers(reader), answers(backend())
    ranked = patched[0][0]
    assert ranked.index(1) < ranked.index(4) and 9 in ranked and 9 not in fresh[0][0]
    assert [([i for i in ids if i != 9], total - (9 in ids)) for ids, total in patched] == fresh
    assert {3, 6}.isdisjoint(patched[0][0]) and 31 in patched[0][0] and 31 in patched[2][0]
    pruning = backend(change_log=1)
    for i in (2, 5, 8):  # more generations than the log keeps: the reader cannot patch, it reads again
        pruning.upsert("vacancy", [doc(i, "保洁员")])
    assert answers(reader) == answers(backend())


def test_knn_and_search_answers_as_knn_sets_and_search_one_at_a_time(tmp_path: Path) -> None:
    """What matching asks for one resident in one call (the words searched beside the vector scan) is
    exactly what the separate calls answer (tests/search/test_es_batches.py asks the same of Elasticsearch)."""
    backend = EmbeddedBackend(tmp_path / "search.sqlite3", prefix="p")
    vectors = [[1.0, 0.0, 0.0, 0.0], [0.6, 0.8, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]
    backend.rebuild("vacancy", [doc(i, "小区保洁员" if i % 3 else "门卫", vector=vectors[i % 3]) for i in range(1, 31)],
                    vector_dims=4, model_id="m")
    query = [[0.8, 0.6, 0.0, 0.0]]
    requests = [(5, [SearchQuery(today=TODAY, near=NEAR, radius_km=1.0), SearchQuery(today=TODAY, home_based=True)]),
                (12, SearchQuery(today=TODAY))]
    words = [SearchQuery(today=TODAY, text="保洁", per_page=5, facets=False), SearchQuery(today=TODAY, text="门卫")]
    knn, hits = backend.knn_and_search("vacancy", query, requests, words, model_id="m")
    assert knn == backend.knn_sets("vacancy", query, requests, model_id="m")
    assert hits == [backend.search(q) for q in words]
    assert [len(k[0]) for k in knn] == [5, 12] and hits[0].total == 20 and hits[1].total == 10
