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
