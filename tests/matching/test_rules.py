"""The pure rules: hard limits, signals and score, explanations; no engine, no model."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estation.matching import explain
from estation.matching.limits import (
    CLOSED,
    DISTANCE,
    EXPIRED,
    HOME_ONLY,
    HOURS,
    JobFacts,
    ResidentLimits,
    limit_effects,
    physical_key,
    search_filters,
    violations,
)
from estation.matching.scoring import build_profile, rrf, score_job, semantic_signal, split_items
from estation.physical import DOMAIN_NAMES

TODAY = date(2026, 6, 1)
HOME = (36.6640, 117.0520)


def job(**kw) -> JobFacts:
    demands = {d: 0 for d in DOMAIN_NAMES} | kw.pop("demands", {})
    base = dict(kind="vacancy", id=kw.pop("id", 1), title="超市收银员", text="超市收银员。收银员。超市收银台收银扫码",
                lat=36.6650, lon=117.0530, demands=tuple(demands.items()), hours_per_day=8.0,
                valid_until=TODAY + timedelta(days=10), wage_min=3000, wage_max=3500,
                occupation_codes=("4-01-02-04",), occupation_names=("收银员",))
    base.update(kw)
    return JobFacts(**base)


def limits(**kw) -> ResidentLimits:
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


def test_limit_effects_count_what_each_limit_removes_and_what_it_alone_removes() -> None:
    lim = limits(physical={"standing_walking": 1}, max_hours_per_day=6)
    jobs = [job(id=1), job(id=2, demands={"standing_walking": 3}), job(id=3, hours_per_day=4),
            job(id=4, demands={"standing_walking": 3}, hours_per_day=4), job(id=5, open=False)]
    effects = limit_effects(jobs, lim, today=TODAY)
    # Job 2 breaks both limits; job 5 is closed, which is nobody's limit.
    assert effects == {physical_key("standing_walking"): (2, 1), HOURS: (2, 1)}
    out = explain.limit_outs(effects, lim)
    assert [o.key for o in out] == [physical_key("standing_walking"), HOURS, DISTANCE]
    assert out[1].label == "每天工作不超过6小时" and (out[1].removed, out[1].only_this) == (2, 1)
    assert "只改这一条就能多看到1个岗位" in out[1].advice and "服务窗口" in out[1].advice
    assert "服务窗口" in out[0].advice and "坐着干" in out[0].advice
    assert out[2].removed == 0
    assert explain.emptied_by(out, items=0) == [physical_key("standing_walking"), HOURS]
    assert explain.emptied_by(out, items=3) == []


def test_a_full_day_is_no_hours_limit() -> None:
    """8 hours is every resident's default and the counter's "no limit": a guard's 12-hour shift stays
    in a guard's list; a shorter day stated for health is a limit."""
    from estation.labour.models import Resident

    row = dict(limits={}, max_travel_km=3.0, home_based_only=False, lat=HOME[0], lon=HOME[1])
    assert ResidentLimits.of(Resident(max_hours_per_day=8.0, **row)).max_hours_per_day is None
    assert ResidentLimits.of(Resident(max_hours_per_day=5.0, **row)).max_hours_per_day == 5.0
    assert violations(job(hours_per_day=12), limits(), today=TODAY) == []
    assert [o.key for o in explain.limit_outs({}, limits())] == [DISTANCE]


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


def test_rrf_fuses_by_rank() -> None:
    assert rrf([[1, 2, 3], [3, 1]]) == [1, 3, 2]


def test_place_and_company_words_are_not_a_match() -> None:
    """Every listing is in Jinan: a wish about moving one's pension back to 济南 is no reason a job fits,
    while a real skill word still matches."""
    from estation.matching.limits import JobFacts
    from estation.matching.scoring import build_profile, matched_items

    job = JobFacts(kind="vacancy", id=1, title="住家保姆", text="住家保姆 济南甸柳家政服务有限公司 历下区甸柳新村 照顾老人 做饭 保洁",
                   lat=36.664, lon=117.052, demands=())
    profile = build_profile(wishes="养老保险想转回济南接续，后来回济南", skills="做饭")
    assert [i.text for i in matched_items(profile, job)] == ["做饭"]
