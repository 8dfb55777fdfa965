"""The matching routes: who may ask about whom, masking for employers, access log, and the 503 state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from estation.accounts.models import AccessLog, Role
from estation.config import Settings
from estation.jobs.models import Vacancy
from estation.jobs.search import SearchService
from estation.ledger.models import CommunityAssignment, HouseholdPairing
from estation.matching.evaluation.harness import seed_jobs, seed_startups
from estation.matching.evaluation.jobs import job_specs
from estation.matching.runtime import UNAVAILABLE_MESSAGE, MatchingRuntime
from estation.matching.vectors import listing_vectors
from indexing.embedded import EmbeddedBackend
from indexing.sync import rebuild
from tests.factories import create_household, create_resident, create_user, new_id_number
from tests.matching.world import occupation_index  # noqa: F401 - fixture

TODAY = date.today()
KINDS = ("cashier", "doorman", "guard", "knit", "sales", "canteen_cook")


@dataclass
class World:
    partial_id: int
    household_id: int
    other_id: int
    old_id: int
    refs: dict[str, int]
    users: dict[str, object]


@pytest.fixture(scope="module")
def world(api, encoder, occupation_index, tmp_path_factory) -> World:  # noqa: ANN001
    with api.db() as s:
        refs = seed_jobs(s, today=TODAY, specs=[j for j in job_specs() if j.archetype in KINDS])
        seed_startups(s, today=TODAY)
        household = create_household(s, community_code="370102009001")
        partial = create_resident(
            s, household=household, name="刘桂兰", phone="13905318888", work_capacity="partial",
            limits={"standing_walking": 1, "lifting_carrying": 2}, skills="收银、扫码、点钞", experience="在超市当过收银员",
            wishes="离家近，坐着工作", max_hours_per_day=8, max_travel_km=3, consent_to_employers=True,
        )
        old = create_resident(s, household=household, name="刘老汉", relation="parent",
                              id_number=new_id_number(birth=date(1945, 1, 1), sex="male"), employment_status="retired")
        other = create_resident(s, name="赵明", skills="保安", consent_to_employers=False)
        employer_id = s.get(Vacancy, refs["cashier/near"]).employer_id
        users = {
            "self": create_user(s, role=Role.resident, resident_id=partial.id),
            "other_resident": create_user(s, role=Role.resident, resident_id=other.id),
            "counter": create_user(s, role=Role.counter_staff),
            "cadre": create_user(s, role=Role.cadre),
            "cadre_elsewhere": create_user(s, role=Role.cadre),
            "leader": create_user(s, role=Role.leader),
            "employer": create_user(s, role=Role.employer, employer_id=employer_id),
            "other_employer": create_user(s, role=Role.employer, employer_id=s.get(Vacancy, refs["guard/near"]).employer_id),
        }
        s.add(HouseholdPairing(cadre_id=users["cadre"].id, household_id=household.id, start_date=TODAY - timedelta(days=30)))
        s.add(CommunityAssignment(leader_id=users["leader"].id, community_code="370102009001",
                                  start_date=TODAY - timedelta(days=30)))
        s.commit()
        ids = (partial.id, household.id, other.id, old.id)
    backend = EmbeddedBackend(tmp_path_factory.mktemp("apiidx") / "search.sqlite3", prefix="mapi")
    with api.db() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id, vectors=listing_vectors(encoder))
        s.commit()
    api.app.state.matching = MatchingRuntime(api.settings, encoder=encoder, search=SearchService(backend),
                                             occupations=occupation_index)
    return World(*ids, refs=refs, users=users)


def _logged(api, resident_id: int) -> int:  # noqa: ANN001
    with api.db() as s:
        return s.scalar(select(func.count()).select_from(AccessLog).where(
            AccessLog.resident_id == resident_id, AccessLog.action == "match"))


def test_a_partially_able_resident_gets_explained_recommendations_at_the_kiosk_api(api, world) -> None:  # noqa: ANN001
    before = _logged(api, world.partial_id)
    r = api.client_for(world.users["self"]).get(f"/api/v1/match/resident/{world.partial_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"], body
    assert any("站立行走" in line for line in body["limits"])
    assert any("站立行走" in line and "排除了" in line for line in body["removed_lines"])
    assert body["removed"]["physical:standing_walking"] > 0
    top = body["items"][0]
    assert top["title"].startswith("超市收银员")
    assert any("收银" in x for x in top["reasons"]) and any("站立行走" in x for x in top["limits"])
    assert all("服装店导购" != i["title"] for i in body["items"])  # stands all day: never shown
    assert _logged(api, world.partial_id) == before + 1


@pytest.mark.parametrize("who, status", [
    ("self", 200), ("counter", 200), ("cadre", 200), ("leader", 200),
    ("other_resident", 403), ("cadre_elsewhere", 403), ("employer", 403),
])
def test_who_may_see_a_residents_matches(api, world, who, status) -> None:  # noqa: ANN001
    r = api.client_for(world.users[who]).get(f"/api/v1/match/resident/{world.partial_id}?limit=2")
    assert r.status_code == status, r.text


def test_anonymous_is_asked_to_sign_in(api, world) -> None:  # noqa: ANN001
    assert api.anonymous.get(f"/api/v1/match/resident/{world.partial_id}").status_code == 401


def test_household_lists_working_age_members_with_jobs_and_startups(api, world) -> None:  # noqa: ANN001
    before = _logged(api, world.old_id)
    r = api.client_for(world.users["cadre"]).get(f"/api/v1/match/household/{world.household_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["resident_id"] for m in body["members"]] == [world.partial_id]
    assert body["skipped"] == [{"resident_id": world.old_id, "name": "刘**", "reason": "不在劳动年龄内"}]
    member = body["members"][0]
    assert member["jobs"]["items"] and "startups" in member
    assert _logged(api, world.old_id) == before + 1  # every member's record read is logged
    assert api.client_for(world.users["cadre_elsewhere"]).get(
        f"/api/v1/match/household/{world.household_id}").status_code == 403
    assert api.client_for(world.users["self"]).get(f"/api/v1/match/household/{world.household_id}").status_code == 403


def test_employer_sees_only_consenting_residents_masked_and_only_for_own_vacancy(api, world) -> None:  # noqa: ANN001
    url = f"/api/v1/match/vacancy/{world.refs['cashier/near']}"
    r = api.client_for(world.users["employer"]).get(url)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["masked"] is True and len(body["residents"]) == 1
    item = body["residents"][0]
    assert not {"resident_id", "name", "masked_name", "phone", "id_number"} & item.keys()
    for secret in ("刘桂兰", "13905318888", "赵明"):
        assert secret not in r.text
    assert item["work_capacity"] == "部分劳动能力" and item["age_band"].endswith("岁")
    assert api.client_for(world.users["other_employer"]).get(url).status_code == 403
    assert api.client_for(world.users["self"]).get(url).status_code == 403
    staff = api.client_for(world.users["counter"]).get(url).json()
    assert staff["masked"] is False and staff["residents"][0]["masked_name"] == "刘**"


def test_similar_jobs_by_title_and_by_vacancy(api, world) -> None:  # noqa: ANN001
    r = api.anonymous.get("/api/v1/similar-jobs", params={"title": "收银员"})
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["title"].startswith("超市收银员")
    vid = world.refs["doorman/near"]
    items = api.anonymous.get("/api/v1/similar-jobs", params={"vacancy_id": vid}).json()["items"]
    assert vid not in [i["id"] for i in items] and items[0]["title"].startswith("单位门卫")
    bad = api.anonymous.get("/api/v1/similar-jobs")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "title"
    assert api.anonymous.get("/api/v1/similar-jobs", params={"title": "x" * 81}).status_code == 422
    assert api.client_for(world.users["counter"]).get(
        f"/api/v1/match/resident/{world.partial_id}?limit=0").status_code == 422


def test_entry_points_for_the_kiosk_employer_pages_and_ledger(api, world) -> None:  # noqa: ANN001
    """The functions other surfaces look up by name answer with the app's matcher."""
    from estation.labour.models import Resident
    from estation.matching import service

    with api.db() as s:
        items = service.recommend(s, resident=s.get(Resident, world.partial_id), limit=3, state=api.app.state)
        assert items and items[0].vacancy.employer.name and items[0].reasons  # what kiosk/recommend.html reads
        fits = service.residents_for_vacancy(s, vacancy=s.get(Vacancy, world.refs["cashier/near"]), state=api.app.state)
        assert [f.resident.id for f in fits] == [world.partial_id] and fits[0].score > 0
        household = service.match_household(s, household_id=world.household_id, state=api.app.state)
        rows = household.matches  # what the ledger's work page reads
        assert rows and {r.resident_id for r in rows} == {world.partial_id}
        assert any(r.vacancy_id for r in rows) and all(r.title and r.explanation for r in rows)


def test_free_text_is_normalised_to_occupation_codes(api, world) -> None:  # noqa: ANN001
    r = api.anonymous.get("/api/v1/match/occupations", params={"text": "在工厂当过十年保安", "k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["code"] for x in body][0] == "4-07-05-01" and len(body) == 3
    assert body[0]["score"] >= body[1]["score"]
    assert api.anonymous.get("/api/v1/match/occupations", params={"text": ""}).status_code == 422


def test_without_a_model_the_app_starts_and_matching_answers_503(api, world, monkeypatch) -> None:  # noqa: ANN001
    from estation.app import create_app

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = Settings(database_url=api.settings.database_url, environment="test", var_dir=api.settings.var_dir,
                        embedding_model=str(api.settings.var_dir / "no-such-model"))
    app = create_app(settings)
    from fastapi.testclient import TestClient

    from tests.factories import TEST_PASSWORD

    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        login = client.post("/api/v1/auth/login", json={"username": world.users["counter"].username,
                                                        "password": TEST_PASSWORD})
        assert login.status_code == 200
        r = client.get(f"/api/v1/match/resident/{world.partial_id}")
        assert r.status_code == 503
        assert r.json()["detail"][0]["msg"] == UNAVAILABLE_MESSAGE and "匹配服务暂不可用" in UNAVAILABLE_MESSAGE
        assert client.get("/api/v1/similar-jobs", params={"title": "保安"}).status_code == 503
        assert app.state.matching.status == "unavailable"


def test_the_ledger_finds_work_for_a_household_with_the_real_matcher(api, world) -> None:  # noqa: ANN001
    from estation.labour.models import Household
    from estation.ledger import work

    with api.db() as s:
        result = work.find_work(s, household=s.get(Household, world.household_id), state=api.app.state)
    assert result.available and result.matches
    assert {m["resident_id"] for m in result.matches} == {world.partial_id}  # the retired father is not matched
    assert all(m["title"] and m["explanation"] for m in result.matches)
    assert any(m["kind"] == "vacancy" and m["vacancy_id"] for m in result.matches)
