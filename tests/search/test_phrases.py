"""Residents' plain phrases at the kiosk find jobs in the demo data, on both engines, with the need applied.

The kiosk's 找工作 page runs over the whole demo data set (``fixtures.demo``) with its search service on
the embedded index and on the Elasticsearch node in turn. Each phrase must find jobs, the page must say
in plain words what it understood, and every job found must meet the need (checked against the rows,
not the page): within walking distance, standing demand at most the level, and so on.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from estation import clock
from estation.geo import distance_km
from estation.jobs import phrases
from estation.jobs.models import Vacancy, VacancyStatus
from estation.jobs.search import DEGRADED_NOTICE
from estation.matching.encoder import model_id_for, vector_dims_for
from estation.migrate import upgrade
from estation.physical import demand_ceiling
from estation.web.kiosk.common import SERVICE_HALL
from fixtures.demo import load_demo
from indexing.sync import rebuild
from tests.kiosk.conftest import KioskHarness
from tests.engines import BACKENDS, ES_URL, drop_backend, require_elasticsearch

NEAR_KM = phrases.NEAR_WALK_MINUTES * 67 / 1000


@dataclass
class DemoKiosk:
    harness: KioskHarness
    client: TestClient
    open_jobs: dict[int, Vacancy]
    """Every vacancy a resident can find today, by id (read from the database, not the index)."""


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    upgrade(url)
    harness = KioskHarness(url, tmp_path_factory.mktemp("load"))
    with harness.db() as s:
        load_demo(s)
        s.commit()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def kiosk(request: pytest.FixtureRequest, demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoKiosk]:
    settings: dict = {"search_backend": request.param, "index_prefix": f"phr{uuid.uuid4().hex[:8]}"}
    if request.param == "elasticsearch":
        require_elasticsearch()
        settings["elasticsearch_url"] = ES_URL
    harness = KioskHarness(demo_url, Path(tmp_path_factory.mktemp(request.param)), **settings)
    backend = harness.app.state.parts.search.backend
    assert backend.name == request.param
    with harness.db() as s:
        counts = rebuild(s, backend, vector_dims=vector_dims_for(harness.settings),
                         model_id=model_id_for(harness.settings))
        s.commit()
        backend.refresh("vacancy")
        jobs = s.scalars(select(Vacancy).where(Vacancy.status == VacancyStatus.open,
                                               Vacancy.valid_until >= clock.today())).all()
        s.expunge_all()
    assert counts["vacancy"] == len(jobs) > 500
    yield DemoKiosk(harness, TestClient(harness.app), {v.id: v for v in jobs})
    drop_backend(backend)


def _results(kiosk: DemoKiosk, url: str) -> tuple[str, int, list[Vacancy]]:
    response = kiosk.client.get(url)
    assert response.status_code == 200, response.text
    html = response.text
    # An engine that did not answer would have the database answer instead: that is not this engine.
    assert DEGRADED_NOTICE not in html
    total = int(re.search(r'<span class="count">共(\d+)个</span>', html).group(1))
    found = [kiosk.open_jobs[int(i)] for i in re.findall(r'href="/kiosk/jobs/(\d+)"', html)]
    return html, total, found


def _all_found(kiosk: DemoKiosk, url: str) -> tuple[str, int, list[Vacancy]]:
    """The first page and every page after it, through the page's own 下一页 links."""
    html, total, found = _results(kiosk, url)
    first = html
    while (more := re.search(r'<a class="btn btn-secondary" href="([^"]+)"><span>下一页', html)):
        html, _, page = _results(kiosk, more.group(1).replace("&amp;", "&"))
        found += page
    assert len(found) == total
    return first, total, found


def _checked(html: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="(\w+)" value="1" checked>', html))


def test_near_home_finds_only_jobs_within_walking_distance_nearest_first(kiosk: DemoKiosk) -> None:
    html, total, found = _all_found(kiosk, "/kiosk/jobs/results?q=离家近的")
    assert total > 0
    assert "已按“离家近”只看步行15分钟以内能走到的岗位" in html and "从服务大厅算起" in html
    assert _checked(html) == {"near"}
    distances = [distance_km(*SERVICE_HALL, v.lat, v.lon) for v in found]
    assert max(distances) <= NEAR_KM * 1.01
    assert _nearly_sorted(distances)
    expected = [v for v in kiosk.open_jobs.values() if distance_km(*SERVICE_HALL, v.lat, v.lon) <= NEAR_KM * 0.99]
    assert len(expected) <= total < len(kiosk.open_jobs)


def _nearly_sorted(distances: list[float]) -> bool:
    # The engines measure on slightly different spheres: allow a few metres out of order.
    return all(b >= a - 0.01 for a, b in zip(distances, distances[1:]))


@pytest.mark.parametrize(("said", "heard", "domain", "level"), [
    ("不用站着", "不用站着", "standing_walking", phrases.SEATED_MAX_STANDING),
    ("能坐着的", "能坐着", "standing_walking", phrases.SEATED_MAX_STANDING),
    ("轻活", "轻活", "lifting_carrying", phrases.LIGHT_MAX_LIFTING),
    ("不累的活", "不累", "lifting_carrying", phrases.LIGHT_MAX_LIFTING),
])
def test_body_needs_find_only_jobs_demanding_at_most_the_level(kiosk: DemoKiosk, said: str, heard: str, domain: str,
                                                               level: int) -> None:
    html, total, found = _all_found(kiosk, f"/kiosk/jobs/results?q={said}")
    fitting = {i for i, v in kiosk.open_jobs.items() if demand_ceiling(v.demands or {}, domain) <= level}
    assert total == len(fitting) > 0
    assert {v.id for v in found} == fitting
    assert all(demand_ceiling(v.demands or {}, domain) <= level for v in found)
    assert f"已按“{heard}”只看" in html


@pytest.mark.parametrize(("said", "key", "fits"), [
    ("半天", "short", lambda v: v.hours_per_day <= phrases.SHORT_HOURS),
    ("时间短的", "short", lambda v: v.hours_per_day <= phrases.SHORT_HOURS),
    ("在家做", "home", lambda v: v.home_based),
])
def test_time_and_place_needs_find_only_fitting_jobs(kiosk: DemoKiosk, said: str, key: str, fits) -> None:
    html, total, found = _all_found(kiosk, f"/kiosk/jobs/results?q={said}")
    expected = {i for i, v in kiosk.open_jobs.items() if fits(v)}
    assert total == len(expected) > 0
    assert {v.id for v in found} == expected
    assert _checked(html) == {key}
    assert phrases.BY_KEY[key].meaning in html


@pytest.mark.parametrize(("said", "widened", "codes"), [
    ("厨房帮工", "帮厨、后厨", ("4-03-02-",)),
    ("电脑", "录入", ("3-01-02-05", "4-04-05-05", "4-01-06-01", "4-12-")),
])
def test_job_words_are_widened_through_the_lexicon(kiosk: DemoKiosk, said: str, widened: str, codes: tuple) -> None:
    html, total, found = _results(kiosk, f"/kiosk/jobs/results?q={said}")
    assert total > 0
    assert f"“{said}”也找了：" in html and widened in html
    assert all(v.occupation_code.startswith(codes) for v in found), [(v.title, v.occupation_code) for v in found]


def test_a_phrase_and_a_job_word_together(kiosk: DemoKiosk) -> None:
    html, total, found = _all_found(kiosk, "/kiosk/jobs/results?q=在家做的电脑活")
    assert total > 0 and all(v.home_based for v in found)
    assert _checked(html) == {"home"} and 'value="电脑"' in html


def test_the_empty_page_says_what_was_searched(kiosk: DemoKiosk) -> None:
    html, total, _ = _results(kiosk, "/kiosk/jobs/results?q=火箭发射")
    assert total == 0
    assert "刚才找的是" in html and "词语“火箭发射”" in html
    assert "去掉" not in html and "少选一个条件" not in html  # nothing was ticked, so nothing to remove
    html, total, _ = _results(kiosk, "/kiosk/jobs/results?q=在家做的保安&cat=guard")
    assert total == 0
    assert "类别：保安门卫" in html and "在家干：只看在家就能干的岗位" in html and "词语“保安”" in html
    retry = re.search(r'href="([^"]+)"><svg[^>]*><use href="#i-house"/></svg><span>去掉“在家干”再找', html).group(1)
    html, total, found = _results(kiosk, retry.replace("&amp;", "&"))
    assert total > 0 and _checked(html) == set() and all(v.occupation_code.startswith("4-07") for v in found)


@pytest.mark.parametrize("need", phrases.NEEDS, ids=lambda n: n.key)
def test_every_need_is_a_filter_button_of_its_own(kiosk: DemoKiosk, need: phrases.Need) -> None:
    html, total, found = _results(kiosk, f"/kiosk/jobs/results?{need.key}=1")
    assert _checked(html) == {need.key} and 0 < total < len(kiosk.open_jobs)
    assert f"{need.key}=1" in re.search(r'class="pager".*?</nav>', html, re.S).group(0)  # and the next page keeps it
