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
from estation.composition import matching
from estation.matching.runtime import UNAVAILABLE_MESSAGE
from estation.matching.vectors import listing_vectors
from indexing.embedded import EmbeddedBackend
from indexing.sync import rebuild
from tests.factories import create_household, create_resident, create_user, new_id_number

TODAY = date.today()
KINDS = ("cashier", "doorman", "guard", "knit", "sales", "canteen_cook")


@dataclass
class World:
    partial_id: int
    household_id: int
    other_id: int
    old_id: int
    asking_id: int
    empty_id: int
    refs: dict[str, int]
    users: dict[str, object]


@pytest.fixture(scope="module")
def world(api, encoder, occupation_index, tmp_path_factory) -> World:
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
        # Past pension age (60 for a man born before 1965), and asking for handicraft work at home.
        asking = create_resident(s, household=household, name="刘建军", relation="spouse",
                                 id_number=new_id_number(birth=date(TODAY.year - 62, 6, 1), sex="male"),
                                 employment_status="registered_unemployed", skills="手工编织",
                                 wishes="想找手工编织之类的居家活", preferred_hours_per_day=4, max_travel_km=3)
        # Can see almost nothing, works two hours a day, goes at most 300 metres: nothing related is left.
        empty = create_resident(s, name="孙素珍", work_capacity="partial", limits={"seeing": 0}, skills="收银、扫码",
                                wishes="想找收银的工作", max_hours_per_day=2, max_travel_km=0.3)
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
        ids = (partial.id, household.id, other.id, old.id, asking.id, empty.id)
    backend = EmbeddedBackend(tmp_path_factory.mktemp("apiidx") / "search.sqlite3", prefix="mapi")
    with api.db() as s:
        rebuild(s, backend, vector_dims=encoder.dim, model_id=encoder.model_id, vectors=listing_vectors(encoder))
        s.commit()
    api.app.state.parts.matching = matching(api.settings, SearchService(backend), encoder=encoder,
                                            occupations=occupation_index)
    return World(*ids, refs=refs, users=users)


def _logged(api, resident_id: int) -> int:
    with api.db() as s:
        return s.scalar(select(func.count()).select_from(AccessLog).where(
            AccessLog.resident_id == resident_id, AccessLog.action == "match"))


def test_a_partially_able_resident_gets_explained_recommendations_at_the_kiosk_api(api, world) -> None:
    before = _logged(api, world.partial_id)
    r = api.client_for(world.users["self"]).get(f"/api/v1/match/resident/{world.partial_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"], body
    limits = {lim["key"]: lim for lim in body["limits"]}
    assert "站立行走" in limits["physical:standing_walking"]["label"] and limits["physical:standing_walking"]["removed"] > 0
    assert "hours" not in limits  # a full day is no limit
    assert body["emptied_by"] == [] and body["considerations"] == []
    top = body["items"][0]
    assert top["title"].startswith("超市收银员")
    assert 1 <= len(top["reasons"]) <= 3 and top["reasons"][0]["kind"] == "experience"
    assert top["reasons"][0]["text"] == "您做过收银员，这份也是收银员的活"
    assert all("服装店导购" != i["title"] for i in body["items"])  # stands all day: never shown
    assert _logged(api, world.partial_id) == before + 1


def test_an_empty_list_names_the_limits_that_emptied_it_and_what_could_be_done(api, world) -> None:
    body = api.client_for(world.users["counter"]).get(f"/api/v1/match/resident/{world.empty_id}").json()
    assert body["items"] == [] and body["pool"] > 0
    limits = {lim["key"]: lim for lim in body["limits"]}
    assert body["emptied_by"] and set(body["emptied_by"]) <= {k for k, v in limits.items() if v["removed"]}
    assert {"physical:seeing", "hours", "distance"} <= set(limits)
    for key in body["emptied_by"]:
        assert "服务窗口" in limits[key]["advice"]
    assert limits["hours"]["label"] == "每天工作不超过2小时"


@pytest.mark.parametrize("who, status", [
    ("self", 200), ("counter", 200), ("cadre", 200), ("leader", 200),
    ("other_resident", 403), ("cadre_elsewhere", 403), ("employer", 403),
])
def test_who_may_see_a_residents_matches(api, world, who, status) -> None:
    r = api.client_for(world.users[who]).get(f"/api/v1/match/resident/{world.partial_id}?limit=2")
    assert r.status_code == status, r.text


def test_anonymous_is_asked_to_sign_in(api, world) -> None:
    assert api.anonymous.get(f"/api/v1/match/resident/{world.partial_id}").status_code == 401


def test_household_lists_working_age_members_with_jobs_and_startups(api, world) -> None:
    before = _logged(api, world.old_id)
    r = api.client_for(world.users["cadre"]).get(f"/api/v1/match/household/{world.household_id}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["resident_id"] for m in body["members"]] == [world.partial_id, world.asking_id]
    assert body["skipped"] == [{"resident_id": world.old_id, "name": "刘**", "reason": "已过法定退休年龄，没有提出找工作"}]
    member, asking = body["members"]
    assert member["jobs"]["items"] and "startups" in member and member["considerations"] == []
    # Past pension age and asking for work: matched, and the age is said, not held against him.
    assert asking["jobs"]["items"] and asking["considerations"][0].startswith("已过法定退休年龄（60岁）")
    assert asking["jobs"]["considerations"] == asking["considerations"]
    assert "编织" in asking["jobs"]["items"][0]["title"]
    assert _logged(api, world.old_id) == before + 1  # every member's record read is logged
    assert api.client_for(world.users["cadre_elsewhere"]).get(
        f"/api/v1/match/household/{world.household_id}").status_code == 403
    assert api.client_for(world.users["self"]).get(f"/api/v1/match/household/{world.household_id}").status_code == 403


def test_employer_sees_only_consenting_residents_masked_and_only_for_own_vacancy(api, world) -> None:
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


def test_similar_jobs_by_title_and_by_vacancy(api, world) -> None:
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


def test_entry_points_for_the_kiosk_employer_pages_and_ledger(api, world) -> None:
    """The functions other surfaces look up by name answer with the app's matcher."""
    from estation.labour.models import Resident
    from estation.matching import service

    with api.db() as s:
        result = service.recommend(s, resident=s.get(Resident, world.partial_id), limit=3, matching=api.app.state.parts.matching)
        assert isinstance(result, service.Recommendations)  # one typed result: the jobs and what shaped them
        items = result.items
        assert items and items[0].vacancy.employer.name and items[0].reasons  # what kiosk/recommend.html reads
        assert result.limit("physical:standing_walking").removed > 0
        fits = service.residents_for_vacancy(s, vacancy=s.get(Vacancy, world.refs["cashier/near"]), matching=api.app.state.parts.matching)
        assert [f.resident.id for f in fits] == [world.partial_id] and fits[0].score > 0
        household = service.match_household(s, household_id=world.household_id, matching=api.app.state.parts.matching)
        assert [m.resident_id for m in household.members] == [world.partial_id, world.asking_id]


def test_similar_jobs_answers_up_to_100(api, world) -> None:
    r = api.anonymous.get("/api/v1/similar-jobs", params={"title": "保安", "limit": 100})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == len({i["id"] for i in items}) > 10  # every open listing of the world, each once
    assert items[0]["title"].startswith(("小区保安员", "单位门卫"))
    too_many = api.anonymous.get("/api/v1/similar-jobs", params={"title": "保安", "limit": 101})
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["loc"][-1] == "limit"


def test_each_occupation_says_whether_it_is_confident_as_inference_does(api, world, occupation_index) -> None:
    body = api.anonymous.get("/api/v1/match/occupations", params={"text": "小区保安员", "k": 3}).json()
    assert [x["confident"] for x in body] == [True, False, False] and body[0]["code"] == "4-07-05-01"
    generic = api.anonymous.get("/api/v1/match/occupations", params={"text": "经理", "k": 3}).json()
    assert not any(x["confident"] for x in generic)
    for text in ("小区保安员", "经理", "急招多名", "超市收银员"):
        shown = api.anonymous.get("/api/v1/match/occupations", params={"text": text, "k": 1}).json()[0]
        inferred = occupation_index.confident(text)
        assert shown["confident"] == bool(inferred) and (not inferred or inferred[0].code == shown["code"])


def test_a_vacancy_posted_without_a_code_gets_one_read_from_its_title(api, world) -> None:
    employer = world.users["employer"]
    client = api.client_for(employer)
    body = dict(employer_id=employer.employer_id, title="小区保安员", community_code="370102009001",
                address="甸柳新村第三社区", wage_min=2600, wage_max=3000, hours_per_day=8, days_per_week=5,
                employment_type="full_time", demands=dict.fromkeys(
                    ("standing_walking", "lifting_carrying", "fine_hand", "seeing", "hearing", "speaking",
                     "learning_memory"), 2), valid_until=(TODAY + timedelta(days=30)).isoformat())
    r = client.post("/api/v1/vacancies", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["occupation_code"] is None, "the employer's field stays theirs"
    assert r.json()["inferred_occupation_code"] == "4-07-05-01"
    vid = r.json()["id"]
    r = client.patch(f"/api/v1/vacancies/{vid}", json={"occupation_code": "4-01-02-04"})
    assert r.status_code == 200, r.text
    assert r.json()["occupation_code"] == "4-01-02-04" and r.json()["inferred_occupation_code"] is None


def test_free_text_is_normalised_to_occupation_codes(api, world) -> None:
    r = api.anonymous.get("/api/v1/match/occupations", params={"text": "在工厂当过十年保安", "k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["code"] for x in body][0] == "4-07-05-01" and len(body) == 3
    assert body[0]["score"] >= body[1]["score"]
    assert api.anonymous.get("/api/v1/match/occupations", params={"text": ""}).status_code == 422


def test_without_a_model_the_app_starts_and_matching_answers_503(api, world, monkeypatch) -> None:
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
        assert app.state.parts.matching.status == "unavailable"


def test_the_ledger_finds_work_for_a_household_with_the_real_matcher(api, world) -> None:
    from estation.labour.models import Household
    from estation.ledger import work

    with api.db() as s:
        result = work.find_work(s, household=s.get(Household, world.household_id), matching=api.app.state.parts.matching,
                                today=date.today())
    assert result.available
    assert [m.resident_id for m in result.members] == [world.partial_id, world.asking_id]
    assert [(s.resident_id, s.reason) for s in result.skipped] == [(world.old_id, "已过法定退休年龄，没有提出找工作")]
    for m in result.members:
        # A card says only what holds: one with nothing checkable to say says nothing, never a filler.
        assert m.matches and all(w.title for w in m.matches) and any(w.explanation for w in m.matches)
        assert any(w.kind == "vacancy" and w.vacancy_id for w in m.matches)
    assert "本人提出想找活干" in result.members[1].considerations[0]
