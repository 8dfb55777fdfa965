"""The search routes: parameters with bounds, clean 422s, and the answers of the real service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from estation.composition import build
from estation.config import Settings
from estation.jobs.search import SearchService
from estation.jobs.search_api import router
from indexing.query import SearchBackend
from tests.search.conftest import Corpus
from tests.search.factories import C1, PLACES


@pytest.fixture
def client(db_factory: sessionmaker[Session], corpus: Corpus, backend: SearchBackend,
           tmp_path: Path) -> Iterator[TestClient]:
    # A bare app with just this router over the parts the composition root builds, with this module's
    # sessions and search service, so these tests do not depend on which routers the app includes today.
    app = FastAPI()
    app.include_router(router)
    parts = build(Settings(environment="test", var_dir=tmp_path))
    parts.engine.dispose()
    parts.search.close()
    parts.session_factory = db_factory
    parts.search = SearchService(backend)
    app.state.parts = parts
    with TestClient(app) as c:
        yield c


def names(corpus: Corpus, body: dict, kind: str = "vacancy") -> list[str]:
    return corpus.names([item["id"] for item in body["items"]], kind=kind)


def test_search_jobs_with_words_and_filters(client: TestClient, corpus: Corpus) -> None:
    r = client.get("/api/v1/search/jobs", params={"q": "看门"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert names(corpus, body) == ["guard"]
    assert body["items"][0]["title_html"] == "<mark>门卫</mark>"
    assert body["degraded"] is False and body["notice"] is None
    r = client.get("/api/v1/search/jobs", params=[
        ("community", C1), ("employment_type", "full_time"), ("employment_type", "part_time"),
        ("max_standing_walking", "3"), ("sort", "wage")])
    assert names(corpus, r.json()) == ["cook", "clean"]


def test_walking_circle_and_distance(client: TestClient, corpus: Corpus) -> None:
    lat, lon = PLACES[C1][2:]
    r = client.get("/api/v1/search/jobs", params={"lat": lat, "lon": lon, "walk_minutes": 5, "sort": "distance"})
    body = r.json()
    assert names(corpus, body) == ["cook", "clean"]
    assert body["items"][0]["distance_km"] == 0.0 and body["items"][0]["walking_minutes"] == 1
    assert body["facets"]["community_code"] == {C1: 2}


def test_adjustments_and_home_based(client: TestClient, corpus: Corpus) -> None:
    r = client.get("/api/v1/search/jobs", params=[("adjustment", "seated_work"), ("home_based", "true")])
    assert names(corpus, r.json()) == ["knit"]


def test_pages(client: TestClient, corpus: Corpus) -> None:
    r = client.get("/api/v1/search/jobs", params={"per_page": 3, "page": 3})
    body = r.json()
    assert body["total"] == 7 and body["page"] == 3 and len(body["items"]) == 1


def test_startups(client: TestClient, corpus: Corpus) -> None:
    r = client.get("/api/v1/search/startups", params={"q": "贷款"})
    assert r.status_code == 200, r.text
    assert names(corpus, r.json(), "startup") == ["loan"]
    r = client.get("/api/v1/search/startups", params={"kind": "shop_space"})
    assert names(corpus, r.json(), "startup") == ["shop"]


def test_typeahead(client: TestClient) -> None:
    r = client.get("/api/v1/search/jobs/suggest", params={"prefix": "bj"})
    assert r.json() == {"suggestions": ["小区保洁员"], "degraded": False}


def _error_fields(r) -> list[str]:
    assert r.status_code == 422, r.text
    return [str(e["loc"][1]) for e in r.json()["detail"]]  # ("query", field, [index])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "保" * 201}, "q"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"page": 0}, "page"),
        ({"shift": "morning"}, "shift"),
        ({"employment_type": "forever"}, "employment_type"),
        ({"community": "abc"}, "community"),
        ({"max_standing_walking": 5}, "max_standing_walking"),
        ({"min_wage": -1}, "min_wage"),
        ({"occupation": "4-7"}, "occupation"),
        ({"lat": 36.66}, "lon"),
        ({"radius_km": 1}, "radius_km"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "cheapest"}, "sort"),
        ({"posted_since": "yesterday"}, "posted_since"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_get_422_naming_the_field(client: TestClient, params: dict, field: str) -> None:
    assert field in _error_fields(client.get("/api/v1/search/jobs", params=params))


def test_very_long_query_is_refused_before_searching(client: TestClient) -> None:
    r = client.get("/api/v1/search/jobs", params={"q": "保洁" * 150})
    assert _error_fields(r) == ["q"]
    assert "200" in r.json()["detail"][0]["msg"]


def test_suggest_bounds(client: TestClient) -> None:
    assert _error_fields(client.get("/api/v1/search/jobs/suggest", params={"prefix": ""})) == ["prefix"]
    assert _error_fields(client.get("/api/v1/search/jobs/suggest", params={"prefix": "x", "limit": 99})) == ["limit"]


def test_parameters_are_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/v1/search/jobs"]["get"]["parameters"]}
    assert {"q", "community", "lat", "lon", "radius_km", "walk_minutes", "min_wage", "max_hours", "shift",
            "employment_type", "home_based", "adjustment", "max_lifting_carrying", "occupation", "posted_since",
            "employer_id", "sort", "page", "per_page"} <= params
    startup = {p["name"] for p in spec["paths"]["/api/v1/search/startups"]["get"]["parameters"]}
    assert {"q", "kind", "home_based", "lat", "lon"} <= startup
