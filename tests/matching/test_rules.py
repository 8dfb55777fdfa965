"""The pure rules: hard limits, signals and score, explanations; no engine, no model."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estation.matching.explain import explain, removed_summary
from estation.matching.limits import (
    CLOSED,
    DISTANCE,
    EXPIRED,
    HOME_ONLY,
    HOURS,
    JobFacts,
    ResidentLimits,
    describe_limits,
    physical_key,
    removal_counts,
    search_filters,
    violations,
)
from estation.matching.scoring import build_profile, rrf, score_job, semantic_signal, split_items
from estation.physical import DOMAIN_NAMES

TODAY = date(2026, 6, 1)
HOME = (36.6640, 117.0520)


def job(**kw) -> JobFacts:  # noqa: ANN003
    demands = {d: 0 for d in DOMAIN_NAMES} | kw.pop("demands", {})
    base = dict(kind="vacancy", id=kw.pop("id", 1), title="超市收银员", text="超市收银员。收银员。超市收银台收银扫码",
                lat=36.6650, lon=117.0530, demands=tuple(demands.items()), hours_per_day=8.0,
                valid_until=TODAY + timedelta(days=10), wage_min=3000, wage_max=3500,
                occupation_codes=("4-01-02-04",), occupation_names=("收银员",))
    base.update(kw)
    return JobFacts(**base)


def limits(**kw) -> ResidentLimits:  # noqa: ANN003
    levels = {d: 4 for d in DOMAIN_NAMES} | kw.pop("physical", {})
    return ResidentLimits(physical=tuple(levels.items()), home=HOME, **kw)


def test_each_hard_limit_is_named_when_broken() -> None:
    lim = limits(physical={"standing_walking": 1}, max_hours_per_day=6, max_travel_km=1)
    assert violations(job(), lim, today=TODAY) == [HOURS]
    assert violations(job(demands={"standing_walking": 2}, hours_per_day=4), lim, today=TODAY) == [
        physical_key("standing_walking")]
    far = job(lat=36.70, lon=117.10, hours_per_day=4)
    assert violations(far, lim, today=TODAY) == [DISTANCE]
    assert violations(job(lat=36.70, lon=117.10, hours_per_day=4, home_based=True), lim, today=TODAY) == []
    assert violations(job(open=False, hours_per_day=4), lim, today=TODAY) == [CLOSED]
    assert violations(job(valid_until=TODAY - timedelta(days=1), hours_per_day=4), lim, today=TODAY) == [EXPIRED]
    home_only = limits(home_based_only=True)
    assert violations(job(), home_only, today=TODAY) == [HOME_ONLY]
    assert violations(job(home_based=True), home_only, today=TODAY) == []


def test_limits_become_engine_filters() -> None:
    lim = limits(physical={"standing_walking": 1, "seeing": 0}, max_hours_per_day=5)
    f = search_filters(lim)
    assert f == {"max_demands": (("standing_walking", 1), ("seeing", 0)), "max_hours_per_day": 5}


def test_removal_counts_count_every_limit_a_job_breaks() -> None:
    lim = limits(physical={"standing_walking": 1}, max_hours_per_day=6)
    jobs = [job(id=1), job(id=2, demands={"standing_walking": 3}), job(id=3, hours_per_day=4)]
    counts = removal_counts(jobs, lim, today=TODAY)
    assert counts == {HOURS: 2, physical_key("standing_walking"): 1}
    lines = removed_summary(counts, lim, pool=3)
    assert lines[0].startswith("在与您情况相关的3个岗位中")
    assert "站立行走" in lines[1] and "排除了1个岗位" in lines[1]
    assert "每天工作不超过6小时" in lines[2] and "排除了2个岗位" in lines[2]


def test_describe_limits_names_only_what_is_restricted() -> None:
    full = describe_limits(limits())
    assert not any("站立行走" in x for x in full)
    partial = describe_limits(limits(physical={"hearing": 0}, home_based_only=True))
    assert partial[0].startswith("听力") and "不需要听" in partial[0]
    assert "只能居家工作" in partial


def test_items_are_a_set_order_and_repetition_do_not_matter() -> None:
    a = build_profile(skills="收银、扫码 点钞", wishes="离家近")
    b = build_profile(skills="点钞；扫码，收银、收银", wishes="离家近")
    assert a == b
    assert split_items("会\n电脑录入 ,  打字") == ["电脑录入", "打字"]  # one-character fragments say nothing


def test_semantic_signal_is_monotone_in_the_item_set() -> None:
    base = [0.80, 0.85]
    assert semantic_signal(base + [0.70]) >= semantic_signal(base)
    assert semantic_signal(base + [0.88]) >= semantic_signal(base)
    assert semantic_signal([0.5]) == 0.0 and semantic_signal([0.95]) == pytest.approx(1 / 1.5)


def test_adding_a_matching_item_never_lowers_the_score() -> None:
    lim = limits(physical={"standing_walking": 1})
    before = build_profile(skills="点钞")
    after = before.with_item("skills", "收银")
    j = job()
    s0 = score_job(before, lim, j, [0.80])
    s1 = score_job(after, lim, j, [0.80 if t == "点钞" else 0.86 for t in after.texts])
    assert s1.score > s0.score
    assert [i.text for i in s1.matched] == ["收银"]


def test_adjustments_help_only_the_limits_they_ease() -> None:
    j = job(adjustments=("seated_work", "sign_language"))
    seated = score_job(build_profile(skills="收银"), limits(physical={"standing_walking": 1}), j, [0.8])
    assert seated.helpful == ["seated_work"]
    deaf = score_job(build_profile(skills="收银"), limits(physical={"hearing": 0}), j, [0.8])
    assert deaf.helpful == ["sign_language"]
    e = explain(seated, limits(physical={"standing_walking": 1}))
    assert any("可坐姿工作" in r and "站立行走" in r for r in e.reasons)


def test_explanation_says_why_distance_and_hours_fit() -> None:
    lim = limits(physical={"standing_walking": 1}, max_hours_per_day=6, max_travel_km=2)
    s = score_job(build_profile(skills="收银"), lim, job(hours_per_day=4), [0.85])
    e = explain(s, lim)
    assert any("公里" in r and "步行约" in r and "2公里以内" in r for r in e.reasons)
    assert any("每天4小时" in r and "6小时" in r for r in e.reasons)
    assert any("“收银”" in r for r in e.reasons)
    assert e.limits == ["按您站立行走方面的情况（能做到“偶尔站立走动”），这个岗位只需要“以坐为主”"]


def test_rrf_fuses_by_rank() -> None:
    assert rrf([[1, 2, 3], [3, 1]]) == [1, 3, 2]


def test_place_and_company_words_are_not_a_match() -> None:
    """Every listing is in Jinan: a wish about moving one's pension back to 济南 is no reason a job fits,
    while a real skill word still matches."""
    from types import SimpleNamespace

    from estation.matching.scoring import build_profile, matched_items

    job = SimpleNamespace(text="住家保姆 济南甸柳家政服务有限公司 历下区甸柳新村 照顾老人 做饭 保洁")
    profile = build_profile(wishes="养老保险想转回济南接续，后来回济南", skills="做饭")
    assert [i.text for i in matched_items(profile, job)] == ["做饭"]
