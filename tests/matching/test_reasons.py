"""Reasons are few and true: each claim is made only when the data bears it out, and the claim checker
(estation.matching.explain.false_claims) catches every kind of false claim the old explanations made."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estation.matching import explain
from estation.matching.limits import JobFacts, ResidentLimits, job_facts
from estation.matching.schemas import Reason
from estation.matching.scoring import ResidentOccupations, build_profile, job_phrase, score_job
from estation.physical import DOMAIN_NAMES

TODAY = date(2026, 6, 1)
HOME = (36.6640, 117.0520)
GUARD, NANNY = "4-07-05-01", "4-10-01-03"
NAMES = {GUARD: "保安员", NANNY: "家政服务员"}


def job(**kw) -> JobFacts:
    demands = {d: 0 for d in DOMAIN_NAMES} | kw.pop("demands", {})
    base = dict(kind="vacancy", id=kw.pop("id", 1), title="小区门岗保安", text="小区门岗保安。门岗值守，来访登记，巡逻",
                lat=36.6650, lon=117.0530, demands=tuple(demands.items()), hours_per_day=8.0,
                valid_until=TODAY + timedelta(days=10), occupation_codes=(GUARD,))
    base.update(kw)
    return JobFacts(**base)


def limits(**kw) -> ResidentLimits:
    levels = {d: 4 for d in DOMAIN_NAMES} | kw.pop("physical", {})
    return ResidentLimits(physical=tuple(levels.items()), home=HOME, **kw)


def reasons_for(j: JobFacts, lim: ResidentLimits, profile, occupations: ResidentOccupations | None = None):
    occupations = occupations or ResidentOccupations(stated=profile.occupation_codes)
    s = score_job(profile, lim, j, [0.8] * len(profile.items), occupations=occupations)
    return explain.candidates(s, explain.Context(profile=profile, limits=lim, occupations=occupations, names=NAMES))


def test_a_travel_wish_is_never_cited_for_a_home_based_job() -> None:
    """张志强 read "您的意愿'出门需要无障碍通道'与岗位要求相符" on a job done at home."""
    profile = build_profile(wishes="想找网店客服的工作，出门需要无障碍通道")
    home = job(title="居家网店客服", text="居家网店客服。在家接待网店顾客，出门不便、需要无障碍通道的也可以做",
               home_based=True, occupation_codes=("4-01-06-01",))
    got = reasons_for(home, limits(physical={"standing_walking": 0}, home_based_only=True), profile)
    assert [r.text for r in got if r.kind == "wish"] == ["正是您想找的“网店客服”一类活"]
    lie = Reason(kind="wish", text="正是您想找的“无障碍”一类活", item="出门需要无障碍通道", word="无障碍")
    assert explain.false_claims([lie], profile=profile, limits=limits(), job=home, occupations=None) == [
        "wish: 正是您想找的“无障碍”一类活"]


def test_a_limit_is_said_as_what_the_job_does_not_need_and_only_where_the_employer_stated_it() -> None:
    from estation.jobs.models import Vacancy, VacancyStatus

    lim = limits(physical={"seeing": 1, "standing_walking": 2})
    row = Vacancy(id=7, title="居家手工串珠", description="在家串珠", occupation_code=None, lat=36.665, lon=117.053,
                  demands={"seeing": 1}, home_based=True, adjustments=[], status=VacancyStatus.open,
                  valid_until=TODAY + timedelta(days=5))
    stated = job_facts(row, kind="vacancy")  # standing_walking left unstated by the employer
    profile = build_profile(skills="串珠")
    got = [r for r in reasons_for(stated, lim, profile) if r.kind == "not_needed"]
    assert [(r.domain, r.text) for r in got] == [("seeing", "只看大字，不用看小字")]
    unstated = Reason(kind="not_needed", text="不用一直站着", domain="standing_walking", level=2)
    assert explain.false_claims(got + [unstated], profile=profile, limits=lim, job=stated, occupations=None) == [
        "not_needed: 不用一直站着"]


def test_a_card_shows_at_most_three_reasons_and_what_every_card_shares_goes_last(occupation_index) -> None:
    lim = limits(physical={"standing_walking": 0, "lifting_carrying": 1}, max_hours_per_day=6)
    profile = build_profile(skills="收银、扫码", experience="在超市做过收银员", wishes="想找收银的工作",
                            occupation_codes=("4-01-02-04",), preferred_hours_per_day=4)
    cashier = job(title="超市收银员", text="超市收银员。收银扫码", hours_per_day=4, occupation_codes=("4-01-02-04",),
                  adjustments=("seated_work",))
    other = job(id=2, title="社区便利店店员", text="便利店理货", hours_per_day=4, occupation_codes=("4-01-02-01",))
    names = {"4-01-02-04": "收银员"}
    per_job = []
    for j in (cashier, other):
        s = score_job(profile, lim, j, [0.8] * len(profile.items))
        occ = ResidentOccupations(stated=profile.occupation_codes)
        per_job.append(explain.candidates(s, explain.Context(profile=profile, limits=lim, occupations=occ, names=names)))
    assert len(per_job[0]) > 3  # much is true of the cashier job ...
    chosen = explain.choose(per_job)
    assert all(len(rs) <= 3 for rs in chosen)  # ... three things are said
    assert [r.kind for r in chosen[0]] == ["registered", "wish", "adjustment"]
    # Both cards say the job asks no standing: on the second card, with little else to say, it stays.
    assert any(r.kind == "not_needed" for r in chosen[1])
    for rs, j in zip(chosen, (cashier, other)):
        assert explain.false_claims(rs, profile=profile, limits=lim, job=j, occupations=occupation_index) == []


def test_hours_and_adjustments_are_said_only_as_they_are() -> None:
    lim = limits(physical={"standing_walking": 1}, max_travel_km=2)
    profile = build_profile(skills="看监控", preferred_hours_per_day=8)
    j = job(hours_per_day=8, adjustments=("seated_work",))
    got = {r.kind: r for r in reasons_for(j, lim, profile)}
    assert got["hours"].text == "每天干8小时，正是您想干的时长" and got["adjustment"].text == "单位安排坐着干"
    assert explain.false_claims(list(got.values()), profile=profile, limits=lim, job=j, occupations=None) == []
    other = job(hours_per_day=6, adjustments=())
    assert explain.false_claims([got["hours"], got["adjustment"]], profile=profile, limits=lim, job=other,
                                occupations=None) == ["hours: 每天干8小时，正是您想干的时长", "adjustment: 单位安排坐着干"]
    # Done at home, a job's seat and ramp are nobody's concern: never said, and caught if said.
    at_home = job(hours_per_day=8, adjustments=("seated_work",), home_based=True)
    assert not any(r.kind == "adjustment" for r in reasons_for(at_home, lim, profile))
    assert explain.false_claims([got["adjustment"]], profile=profile, limits=lim, job=at_home, occupations=None) == [
        "adjustment: 单位安排坐着干"]


def test_a_wish_is_cited_only_for_the_kind_of_work_it_asks_for() -> None:
    assert explain.wanted("想找家政或养老护理的工作") == ["家政", "养老护理"]
    assert explain.wanted("想找手工艺品居家加工之类的工作") == ["手工艺品居家加工"]
    assert explain.wanted("目前在小区做保安") == []  # says what is, asks for nothing
    assert explain.wanted("出门需要无障碍通道") == []
    profile = build_profile(wishes="想找数据标注或网店客服的工作")
    entry = job(title="数据录入员", text="数据录入员。录入表格", occupation_codes=("3-01-02-05",))
    labelling = job(id=2, title="居家数据标注员", text="居家数据标注员。给图片打标签", occupation_codes=())
    assert not any(r.kind == "wish" for r in reasons_for(entry, limits(), profile))  # 数据 alone is not 数据标注
    wish = [r for r in reasons_for(labelling, limits(), profile) if r.kind == "wish"]
    assert [r.text for r in wish] == ["正是您想找的“数据标注”一类活"]
    assert explain.false_claims(wish, profile=profile, limits=limits(), job=entry, occupations=None) == [
        "wish: 正是您想找的“数据标注”一类活"]
    guard = build_profile(wishes="目前在小区做保安，想了解养老保险临时账户以后怎么转")
    assert not any(r.kind == "wish" for r in reasons_for(job(), limits(), guard))


@pytest.fixture(scope="module")
def zhao():
    """赵建国's own words (fixtures/personas.py): a carpenter, then a guard."""
    return build_profile(skills="持保安员证，会看监控",
                         experience="1992年-2012年在郑州宏达建筑工程有限公司做木工；2012年-2020年在郑州正阳物业服务有限公司做保安员；"
                                    "2021年-至今在济南泰和保安服务有限公司做保安员。",
                         wishes="目前在小区做保安，想了解养老保险临时账户以后怎么转。")


def _read(profile, index) -> ResidentOccupations:
    """As the matcher reads a resident's words (Matcher.resident_occupations)."""
    return ResidentOccupations(stated=profile.occupation_codes, read=tuple(
        (i, m.code) for i in profile.items
        for m in index.confident(job_phrase(i.text) if i.source == "experience" else i.text)))


def test_an_experience_line_is_read_for_what_was_done() -> None:
    assert job_phrase("2012年-2020年在郑州正阳物业服务有限公司做保安员") == "做保安员"
    assert job_phrase("2021年-至今在济南泰和保安服务有限公司做保安员") == "做保安员"
    assert job_phrase("在超市做过三年收银员") == "做过三年收银员"
    assert job_phrase("在家织毛衣多年") == "在家织毛衣多年"  # no verb of work: the line as it is


def test_work_done_is_claimed_only_for_the_same_occupation(zhao, occupation_index) -> None:
    """赵建国 was told "because your experience as 保安员 fits" on a live-in nanny job."""
    occupations = _read(zhao, occupation_index)
    assert GUARD in occupations.history
    lim = limits()
    guard = job()
    nanny = job(id=2, title="住家保姆", text="住家保姆。济南甸柳家政服务有限公司，照顾老人、做饭、保洁",
                occupation_codes=(NANNY,))
    on_guard = reasons_for(guard, lim, zhao, occupations)
    assert on_guard[0].kind == "experience" and on_guard[0].text == "您做过保安员，这份也是保安员的活"
    on_nanny = reasons_for(nanny, lim, zhao, occupations)
    assert not any(r.kind in ("experience", "registered") for r in on_nanny)
    for rs, j in ((on_guard, guard), (on_nanny, nanny)):
        assert explain.false_claims(rs, profile=zhao, limits=lim, job=j, occupations=occupation_index) == []
    # The old claim, made from words the line shares with the listing (物业, 服务), is caught.
    line = next(i.text for i in zhao.items if "物业" in i.text)
    old = Reason(kind="experience", text="您做过保安员，这份也是保安员的活", item=line, code=GUARD)
    assert explain.false_claims([old], profile=zhao, limits=lim, job=nanny, occupations=occupation_index) == [
        "experience: 您做过保安员，这份也是保安员的活"]
    # A claim resting on a line's occupation cannot be checked, so cannot hold, without the index.
    assert explain.false_claims(on_guard[:1], profile=zhao, limits=lim, job=guard, occupations=None)
