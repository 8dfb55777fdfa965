"""Issue 15 point 7: the outcomes report (GET /api/v1/reports/outcomes and /ledger/outcomes), checked
against a small world built here on a fresh database: registrations, placements on known dates, a
3-month follow-up due and retained, households cleared; role scoping; the four-fifths flag."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from estation.accounts.models import Role
from estation.jobs.models import Invitation, Placement, PlacementFollowUp
from estation.labour.models import EmploymentRecord, EmploymentStatus as S, Resident
from estation.ledger.models import ActionKind, LedgerAction
from estation.reports import service
from estation.reports.service import Group
from tests.conftest import screenshot, sign_in
from tests.factories import create_employer, create_household, create_resident, create_user, create_vacancy, new_id_number

A, B = "370102009001", "370102009002"
URL = "/api/v1/reports/outcomes?from=2025-01&to=2025-06"


def _person(s, community: str, *, born: date, sex: str, spells: list[tuple[S, date, date | None]],
            disability: str | None = None) -> Resident:
    """A resident alone in a household, with exactly these status spells (the last one is current)."""
    household = create_household(s, community_code=community)
    resident = create_resident(s, household=household, community_code=community, name="测试居民",
                               id_number=new_id_number(birth=born, sex=sex))
    resident.status_history.clear()
    s.flush()
    for status, start, end in spells:
        resident.status_history.append(EmploymentRecord(status=status, start_date=start, end_date=end))
    resident.employment_status = spells[-1][0]
    resident.disability_category = disability
    s.flush()
    return resident


def _placed(s, resident: Resident, vacancy_id: int, started_on: date, *, public_welfare: bool = False,
            three_months: tuple[date, bool | None] | None = None) -> None:
    placement = Placement(resident_id=resident.id, vacancy_id=vacancy_id, started_on=started_on,
                          public_welfare=public_welfare)
    s.add(placement)
    s.flush()
    if three_months:
        due_on, still = three_months
        s.add(PlacementFollowUp(placement_id=placement.id, household_id=resident.household_id,
                                resident_id=resident.id, vacancy_id=vacancy_id, months_after=3, due_on=due_on,
                                answered_on=None if still is None else due_on, still_employed=still))


@pytest.fixture(scope="module")
def world(api):
    """Five job seekers in two communities in January-June 2025, three placed; two bystanders."""
    with api.db() as s:
        vacancy = create_vacancy(s, employer=create_employer(s))
        # A: unemployed since 2024-12-01, placed 2025-03-01 on a 公益性岗位 (90 days), retained at 3 months.
        r1 = _person(s, A, born=date(1975, 6, 15), sex="female", disability="肢体",
                     spells=[(S.registered_unemployed, date(2024, 12, 1), date(2025, 3, 1)),
                             (S.employed, date(2025, 3, 1), None)])
        _placed(s, r1, vacancy.id, date(2025, 3, 1), public_welfare=True, three_months=(date(2025, 6, 1), True))
        # A: worked until 2025-02-01, placed 2025-04-11 (69 days); the 3-month check falls in July (outside).
        r2 = _person(s, A, born=date(1990, 3, 3), sex="male",
                     spells=[(S.employed, date(2020, 1, 1), date(2025, 2, 1)),
                             (S.registered_unemployed, date(2025, 2, 1), date(2025, 4, 11)),
                             (S.employed, date(2025, 4, 11), None)])
        _placed(s, r2, vacancy.id, date(2025, 4, 11), three_months=(date(2025, 7, 11), None))
        s.add(LedgerAction(household_id=r2.household_id, resident_id=r2.id, kind=ActionKind.job_referral,
                           on=date(2025, 3, 15), vacancy_id=vacancy.id, note="推荐岗位"))
        # A: a student until 2025-05-01, then looking for work: the household becomes 零就业 in the period.
        _person(s, A, born=date(2003, 9, 9), sex="female",
                spells=[(S.student, date(2021, 9, 1), date(2025, 5, 1)), (S.registered_unemployed, date(2025, 5, 1), None)])
        # A: employed all along, and one whose search ended before the period: neither is counted.
        _person(s, A, born=date(1980, 1, 1), sex="male", spells=[(S.employed, date(2015, 1, 1), None)])
        _person(s, A, born=date(1972, 1, 1), sex="male",
                spells=[(S.registered_unemployed, date(2023, 1, 1), date(2024, 6, 1)),
                        (S.out_of_labour_force, date(2024, 6, 1), None)])
        # B: unemployed since 2024-10-01, placed 2025-02-01 (123 days), gone at the 3-month check.
        r3 = _person(s, B, born=date(1980, 5, 5), sex="male",
                     spells=[(S.registered_unemployed, date(2024, 10, 1), date(2025, 2, 1)),
                             (S.employed, date(2025, 2, 1), None)])
        _placed(s, r3, vacancy.id, date(2025, 2, 1), three_months=(date(2025, 5, 1), False))
        # B: unemployed since 2024-01-01, invited by an employer in February, not placed.
        r4 = _person(s, B, born=date(1985, 8, 8), sex="female", spells=[(S.registered_unemployed, date(2024, 1, 1), None)])
        s.add(Invitation(vacancy_id=vacancy.id, resident_id=r4.id,
                         created_at=datetime(2025, 2, 10, 9, 0, tzinfo=timezone.utc)))
        users = {
            "leader": create_user(s, role=Role.leader), "admin": create_user(s, role=Role.admin),
            "staff_b": create_user(s, role=Role.community_staff, community_code=B),
            "cadre": create_user(s, role=Role.cadre), "counter": create_user(s, role=Role.counter_staff, window=1),
        }
        s.commit()
        return users


def _community(body: dict, code: str) -> dict:
    return next(c for c in body["by_community"] if c["code"] == code)


def test_figures_match_the_records(api, world) -> None:
    body = api.client_for(world["leader"]).get(URL).json()
    assert (body["from"], body["to"]) == ("2025-01", "2025-06")
    assert body["registered_job_seekers"] == 5
    assert body["placements"] == 3
    assert body["median_days_to_placement"] == 90.0  # of 90, 69 and 123 days
    assert body["retained_3_months"] == {"due": 2, "retained": 1}
    assert body["zero_employment_households"] == {"at_start": 3, "at_end": 2, "cleared": 2}
    assert body["public_welfare_posts"] == 1

    a, b = _community(body, A), _community(body, B)
    assert a["name"] == "甸柳新村第三社区"
    assert (a["registered_job_seekers"], a["placements"], a["median_days_to_placement"]) == (3, 2, 79.5)
    assert a["retained_3_months"] == {"due": 1, "retained": 1} and a["public_welfare_posts"] == 1
    assert a["zero_employment_households"] == {"at_start": 1, "at_end": 1, "cleared": 1}
    assert (b["registered_job_seekers"], b["placements"], b["median_days_to_placement"]) == (2, 1, 123.0)
    assert b["zero_employment_households"] == {"at_start": 2, "at_end": 1, "cleared": 1}

    groups = {(g["dimension"], g["group"]): g for g in body["by_group"]}
    assert groups[("sex", "female")] == {"dimension": "sex", "group": "female", "label": "女", "job_seekers": 3,
                                              "with_recommendations": 1, "placements": 1, "hidden": None}
    assert groups[("sex", "male")]["with_recommendations"] == 1 and groups[("sex", "male")]["placements"] == 2
    # One with a 肢体 certificate and four without: both groups too small to be shown.
    assert {k: (g["hidden"], g["job_seekers"], g["placements"]) for k, g in groups.items()
            if k[0] == "disability_category"} == {("disability_category", "肢体"): ("small", None, None),
                                                  ("disability_category", "none"): ("small", None, None)}
    assert groups[("age_band", "45-54岁")]["job_seekers"] == 2  # born 1975 and 1980: 50 and 45 on 2025-06-30
    assert groups[("age_band", "24岁及以下")]["job_seekers"] == 1


def test_the_parts_add_up_to_the_totals(api, world) -> None:
    body = api.client_for(world["admin"]).get("/api/v1/reports/outcomes?from=2024-07&to=2025-12").json()
    assert body["placements"] > 0
    for key in ("registered_job_seekers", "placements", "public_welfare_posts"):
        assert sum(c[key] for c in body["by_community"]) == body[key], key
    for outer, inner in (("retained_3_months", "due"), ("retained_3_months", "retained"),
                         ("zero_employment_households", "at_start"), ("zero_employment_households", "at_end"),
                         ("zero_employment_households", "cleared")):
        assert sum(c[outer][inner] for c in body["by_community"]) == body[outer][inner], (outer, inner)
    for dimension in ("age_band", "sex"):  # the disability categories' hidden groups give no figures
        rows = [g for g in body["by_group"] if g["dimension"] == dimension]
        assert sum(g["job_seekers"] for g in rows) == body["registered_job_seekers"], dimension
        assert sum(g["placements"] for g in rows) == body["placements"], dimension
        assert all(g["with_recommendations"] <= g["job_seekers"] for g in rows)


def test_community_staff_see_their_community_only(api, world) -> None:
    body = api.client_for(world["staff_b"]).get(URL).json()
    assert [c["code"] for c in body["by_community"]] == [B]
    assert (body["registered_job_seekers"], body["placements"], body["public_welfare_posts"]) == (2, 1, 0)
    assert body["zero_employment_households"] == {"at_start": 2, "at_end": 1, "cleared": 1}
    assert sum(g["job_seekers"] for g in body["by_group"] if g["dimension"] == "sex") == 2


def test_other_roles_are_refused(api, world) -> None:
    for role in ("cadre", "counter"):
        assert api.client_for(world[role]).get(URL).status_code == 403, role
    assert api.anonymous.get(URL).status_code == 401


@pytest.mark.parametrize(("query", "field", "words"), [
    ("from=2025-13&to=2025-06", "from", "起始月份"),
    ("from=2025-01&to=June", "to", "结束月份"),
    ("from=2025-06&to=2025-01", "to", "结束月份不能早于起始月份"),
    ("to=2025-01", "from", ""),
])
def test_bad_months_are_refused_naming_the_field(api, world, query: str, field: str, words: str) -> None:
    response = api.client_for(world["leader"]).get(f"/api/v1/reports/outcomes?{query}")
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert item["loc"][-1] == field and words in item["msg"]


def test_four_fifths_rule_flags_the_group_left_behind() -> None:
    groups = [Group("disability_category", "none", "无残疾证", job_seekers=20, with_recommendations=12, placements=6),
              Group("disability_category", "视力", "视力", job_seekers=10, with_recommendations=4, placements=3),
              Group("sex", "male", "男", job_seekers=15, with_recommendations=8, placements=4),
              Group("sex", "female", "女", job_seekers=15, with_recommendations=8, placements=5)]
    flags = service.fairness_flags(groups)
    # 视力: recommended 40% against 60% (below 48%, four fifths of it); placed 30% = 30%: not flagged.
    # 男: placed 27% against 33% (four fifths: 26.7%): not flagged.
    assert [(f.group.group, f.rate) for f in flags] == [("视力", "coverage")]
    assert flags[0].text == "残疾类别“视力”获得岗位推荐的比例为40%（4/10人），最高的“无残疾证”为60%（12/20人），不到其五分之四。"
    groups[1].with_recommendations = 5  # 50% is above 48%: fair
    assert service.fairness_flags(groups) == []
    # Three of four recommended in a small group sets no bar while groups of ten or more exist; the small
    # group itself is still flagged, and said to be small.
    groups.append(Group("disability_category", "智力", "智力", job_seekers=4, with_recommendations=3, placements=0))
    flags = service.fairness_flags(groups)
    assert [(f.group.group, f.best.group, f.rate) for f in flags] == [("智力", "none", "placement")]
    assert flags[0].text.endswith("为0%（0/4人），最高的“无残疾证”为30%（6/20人），不到其五分之四（该组只有4人，比例受个别人影响大）。")


def test_the_leaders_page_shows_the_figures_charts_and_the_flag(live, page, world) -> None:
    sign_in(page, live.url, world["leader"].username, "/ledger")
    page.click("text=就业成效")
    page.wait_for_url(f"{live.url}/ledger/outcomes")
    page.fill("input[name=from]", "2025-01")
    page.fill("input[name=to]", "2025-06")
    page.click("form[aria-label=统计期间] button")
    page.wait_for_url(f"{live.url}/ledger/outcomes?from=2025-01&to=2025-06")
    stats = page.locator(".stat").all_inner_texts()
    assert any("上岗人次" in t and "3" in t for t in stats)
    assert any("登记到上岗（中位数）" in t and "90天" in t for t in stats)
    assert any("上岗满3个月仍在岗" in t and "1/2" in t for t in stats)
    assert any("零就业家庭（期初→期末）" in t and "3→2" in t for t in stats)
    flags = page.locator("#fairness-flags li").all_inner_texts()
    # Women: 1 of 3 recommended (33%) against men's 1 of 2 (50%); placed 1 of 3 against 2 of 2.
    assert "性别“女”获得岗位推荐的比例为33%（1/3人），最高的“男”为50%（1/2人），不到其五分之四（该组只有3人，比例受个别人影响大）。" in flags
    assert any(f.startswith("性别“女”上岗的比例为33%（1/3人），最高的“男”为100%（2/2人）") for f in flags)
    assert page.locator("svg.chart").count() == 8
    assert page.locator("svg.chart title").first.text_content() == "各社区上岗人次"
    text = page.inner_text("main")
    assert "甸柳新村第三社区" in text and "None" not in text and "female" not in text
    screenshot(page, "ledger-outcomes.png")


def test_the_page_says_what_is_wrong_with_a_month(api, world) -> None:
    client = api.client_for(world["leader"])
    response = client.get("/ledger/outcomes?from=2025-01&to=2024-12")
    assert response.status_code == 422 and "结束月份不能早于起始月份" in response.text
    response = client.get("/ledger/outcomes?from=2025-1x&to=2025-06")
    assert response.status_code == 422 and "起始月份请按“年-月”填写" in response.text
    assert "href=\"/ledger/outcomes\"" not in api.client_for(world["cadre"]).get("/ledger").text
    assert api.client_for(world["cadre"]).get("/ledger/outcomes").status_code == 403


def test_the_report_reads_the_same_on_postgresql_and_sqlite(session) -> None:
    """The queries (dates, an invitation's time, the community filter) on both databases."""
    code = "370102009008"
    vacancy = create_vacancy(session, employer=create_employer(session))
    seeker = _person(session, code, born=date(1970, 2, 2), sex="male",
                     spells=[(S.registered_unemployed, date(2018, 11, 1), date(2019, 2, 20)),
                             (S.employed, date(2019, 2, 20), None)])
    _placed(session, seeker, vacancy.id, date(2019, 2, 20), public_welfare=True, three_months=(date(2019, 5, 20), True))
    session.add(Invitation(vacancy_id=vacancy.id, resident_id=seeker.id,
                           created_at=datetime(2019, 1, 31, 23, 30, tzinfo=timezone.utc)))
    staff = create_user(session, role=Role.community_staff, community_code=code)
    session.flush()
    report = service.outcomes(session, user=staff, period=service.period(date(2019, 1, 1), date(2019, 5, 1)),
                              today=date(2026, 1, 1))
    t = report.totals
    assert (t.registered_job_seekers, t.placements, t.median_days_to_placement, t.public_welfare_posts) == (1, 1, 111.0, 1)
    assert (t.due_3_months, t.retained_3_months, t.zero_at_start, t.zero_at_end, t.cleared) == (1, 1, 1, 0, 1)
    assert [(g.group, g.with_recommendations) for g in report.by_group if g.dimension == "sex"] == [("male", 1)]
    assert [code for code, _, _ in report.by_community] == ["370102009008"]


# A disability category of three job seekers (言语) in 2021, a year no one of the world above was looking.
SMALL_URL = "/api/v1/reports/outcomes?from=2021-01&to=2021-12"
CATEGORIES = {"none": (20, 10, 6), "肢体": (12, 6, 3), "视力": (8, 4, 2), "言语": (3, 1, 0)}
"""Job seekers, of them recommended, of them placed."""


@pytest.fixture(scope="module")
def small_group(api, world):
    with api.db() as s:
        vacancy = create_vacancy(s, employer=create_employer(s))
        for category, (people, recommended, placed) in CATEGORIES.items():
            for i in range(people):
                end = date(2021, 6, 1) if i < placed else date(2021, 12, 1)
                r = _person(s, A if i % 2 else B, born=date(1970 + i, 3, 3), sex="female" if i % 2 else "male",
                            disability=None if category == "none" else category,
                            spells=[(S.registered_unemployed, date(2021, 1, 1), end), (S.employed, end, None)])
                if i < placed:
                    _placed(s, r, vacancy.id, end)
                if i < recommended:
                    s.add(Invitation(vacancy_id=vacancy.id, resident_id=r.id,
                                     created_at=datetime(2021, 3, 1, 9, 0, tzinfo=timezone.utc)))
        s.commit()
    return world


def test_a_group_of_three_is_hidden_with_one_more_so_no_total_gives_it_away(api, small_group) -> None:
    body = api.client_for(small_group["leader"]).get(SMALL_URL).json()
    assert body["registered_job_seekers"] == 43 and body["placements"] == 11
    rows = {g["group"]: g for g in body["by_group"] if g["dimension"] == "disability_category"}
    assert rows["言语"] == {"dimension": "disability_category", "group": "言语", "label": "言语", "hidden": "small",
                          "job_seekers": None, "with_recommendations": None, "placements": None}
    # 8 with 视力 are hidden too: the total less the shown groups is 11 people, 5 recommended, 2 placed,
    # which 3 + 8, 4 + 7 ... all fit.
    assert rows["视力"]["hidden"] == "complementary" and rows["视力"]["job_seekers"] is None
    assert (rows["none"]["job_seekers"], rows["肢体"]["job_seekers"]) == (20, 12)
    assert body["registered_job_seekers"] - sum(g["job_seekers"] or 0 for g in rows.values()) == 11
    # The other groupings are not by health: they are given in full and add up.
    assert sum(g["job_seekers"] for g in body["by_group"] if g["dimension"] == "sex") == 43
    # A community's staff see one community: in B, 2 with 言语 and 4 with 视力, hidden together (6 people:
    # 2 + 4 or 3 + 3 or 4 + 2), 10 without a certificate and 6 with 肢体 shown.
    staff = api.client_for(small_group["staff_b"]).get(SMALL_URL).json()
    rows = {g["group"]: g for g in staff["by_group"] if g["dimension"] == "disability_category"}
    assert {k: (g["hidden"], g["job_seekers"]) for k, g in rows.items()} == {
        "none": (None, 10), "肢体": (None, 6), "视力": ("small", None), "言语": ("small", None)}


def test_suppression_keeps_hiding_until_nothing_can_be_worked_out() -> None:
    def hidden(*spec: tuple[str, int, int, int]) -> dict[str, str | None]:
        groups = [Group("disability_category", n, n, job_seekers=j, with_recommendations=r, placements=p)
                  for n, j, r, p in spec]
        service.suppress(groups)
        return {g.group: g.hidden for g in groups}

    # Nothing small: all shown.
    assert set(hidden(("none", 40, 20, 10), ("视力", 5, 2, 1)).values()) == {None}
    # One person with 言语 and five with 视力: hidden together they make 6, which only 1 + 5 gives; so
    # the next group is hidden too.
    assert hidden(("none", 40, 20, 10), ("言语", 1, 0, 0), ("视力", 5, 2, 1), ("肢体", 30, 10, 5)) == {
        "none": None, "言语": "small", "视力": "complementary", "肢体": "complementary"}
    # Nobody recommended among 言语 and 视力 while others were: that would say the three were not.
    assert hidden(("none", 40, 20, 10), ("言语", 3, 0, 0), ("视力", 8, 0, 0), ("肢体", 9, 3, 1)) == {
        "none": None, "言语": "small", "视力": "complementary", "肢体": "complementary"}
    # Nobody at all recommended: the totals say so of everyone; no more groups are hidden for it.
    assert hidden(("none", 40, 0, 0), ("言语", 3, 0, 0), ("视力", 8, 0, 0)) == {
        "none": None, "言语": "small", "视力": "complementary"}
    # Other groupings are never hidden, and a hidden group is never flagged nor the bar.
    ages = [Group("age_band", "24岁及以下", "24岁及以下", job_seekers=2, with_recommendations=0, placements=0)]
    service.suppress(ages)
    assert ages[0].hidden is None
    groups = [Group("disability_category", "none", "无残疾证", job_seekers=20, with_recommendations=12, placements=6),
              Group("disability_category", "言语", "言语", job_seekers=3, with_recommendations=0, placements=0),
              Group("disability_category", "视力", "视力", job_seekers=10, with_recommendations=6, placements=3)]
    service.suppress(groups)
    assert service.fairness_flags(groups) == []


def test_a_scope_whose_few_certificate_holders_the_totals_give_away_is_not_grouped_by_category() -> None:
    def withheld(*spec: tuple[str, int]) -> tuple[list[str], list[str]]:
        groups = [Group("disability_category", n, n, job_seekers=j) for n, j in spec]
        groups.append(Group("sex", "female", "女", job_seekers=sum(j for _, j in spec)))
        dimensions = service.suppress(groups)
        return dimensions, [g.group for g in groups]

    # Three job seekers, all 视力: the totals are theirs, so the name alone would say it.
    assert withheld(("视力", 3)) == (["disability_category"], ["female"])
    # 5 + 1 people: hidden together they still make only 5 + 1.
    assert withheld(("none", 5), ("视力", 1)) == (["disability_category"], ["female"])
    # 40 + 3: hidden together, 3 could be 1 to 4: the groups stay, hidden.
    assert withheld(("none", 40), ("言语", 3)) == ([], ["none", "言语", "female"])


@pytest.fixture(scope="module")
def lone_category(api, world):
    """2022 in community 009005: three job seekers, all with a 视力 certificate; its staff read the report."""
    code = "370102009005"
    with api.db() as s:
        for i in range(3):
            _person(s, code, born=date(1975 + i, 4, 4), sex="female", disability="视力",
                    spells=[(S.registered_unemployed, date(2022, 2, 1), None)])
        staff = create_user(s, role=Role.community_staff, community_code=code)
        s.commit()
    return staff, world["leader"]


def test_the_lone_category_is_neither_listed_nor_charted(api, lone_category) -> None:
    """The community's staff (API) and the district's leader (page): nobody else was looking in 2022."""
    for user in lone_category:
        body = api.client_for(user).get("/api/v1/reports/outcomes?from=2022-01&to=2022-12").json()
        assert body["registered_job_seekers"] == 3 and body["withheld_dimensions"] == ["disability_category"]
        assert {g["dimension"] for g in body["by_group"]} == {"age_band", "sex"}
    page = api.client_for(lone_category[1]).get("/ledger/outcomes?from=2022-01&to=2022-12")
    assert page.status_code == 200 and 'id="withheld-note"' in page.text
    assert "视力" not in page.text and "按残疾类别：" not in page.text


def _no_number(text: str) -> bool:
    return not re.search(r"\d", text.replace("少于5人", "").replace("1至4人", ""))


def test_the_page_shows_no_figure_of_the_small_group(live, page, small_group) -> None:
    sign_in(page, live.url, small_group["leader"].username, "/ledger")
    page.goto(f"{live.url}/ledger/outcomes?from=2021-01&to=2021-12")
    rows = {r.split("\t")[1]: r for r in page.locator("#group-h ~ .table-wrap tbody tr").all_inner_texts()}
    assert rows["言语"].split("\t")[2:] == ["少于5人", "不显示", "不显示"]
    assert rows["视力"].split("\t")[2:] == ["不单独显示", "不显示", "不显示"]
    assert rows["肢体"].split("\t")[2:] == ["12", "6（50%）", "3（25%）"]
    # In the charts, the flags and anywhere else on the page, nothing said of 言语 or 视力 carries a number.
    for chart in page.locator("svg.chart").all():
        title = chart.locator("title").first.text_content()
        if title.startswith("按残疾类别"):
            svg = chart.inner_html()
            assert "言语：" not in svg and "视力：" not in svg  # no bar drawn, so no tooltip with a rate
            labels = chart.locator("text").all_text_contents()
            assert labels[labels.index("言语") + 1] == "少于5人" and labels[labels.index("视力") + 1] == "不单独显示"
    text = page.inner_text("main")
    for line in text.splitlines():
        if "言语" in line or "视力" in line:
            assert _no_number(line), line
    assert re.search("数字不公开的组不参与比较：残疾类别“(视力|言语)”、残疾类别“(视力|言语)”。", text)
    assert "None" not in text and "small" not in text and "complementary" not in text
    screenshot(page, "outcomes-small-group.png")


def test_the_page_of_a_lone_category_in_chromium(live, page, lone_category) -> None:
    sign_in(page, live.url, lone_category[1].username, "/ledger")
    page.goto(f"{live.url}/ledger/outcomes?from=2022-01&to=2022-12")
    text = page.inner_text("main")
    assert "不按残疾类别分组显示" in text and "视力" not in text and "按残疾类别：" not in text  # no chart by it
    assert [r.split("\t")[0] for r in page.locator("#group-h ~ .table-wrap tbody tr").all_inner_texts()] == \
        ["年龄段", "性别"]  # born 1975-1977: all 45-54 in 2022, all women
    assert "None" not in text and "disability" not in text
    screenshot(page, "outcomes-lone-category.png")
