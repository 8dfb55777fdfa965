"""Policy reminders: rules as data, each reminder with the member's own reason."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from estation.labour.models import WorkCapacity
from estation.ledger import rules
from tests.factories import create_household, create_resident, new_id_number

TODAY = date(2025, 7, 1)


def member(session, household, *, born: date, **fields):
    resident = create_resident(session, household=household, id_number=new_id_number(birth=born), **fields)
    session.refresh(household)
    return resident


def codes(household) -> set[tuple[int, str]]:
    return {(r.resident_id, r.code) for r in rules.reminders(household, rules.load_rules(), TODAY)}


def test_old_age_allowance_from_80(session) -> None:
    household = create_household(session)
    eighty = member(session, household, born=date(1945, 6, 30), name="张桂兰")
    almost = member(session, household, born=date(1945, 7, 2), name="李凤英")
    found = rules.reminders(household, rules.load_rules(), TODAY)
    allowance = [r for r in found if r.code == "old_age_allowance"]
    assert [r.resident_id for r in allowance] == [eighty.id]
    assert allowance[0].policy == "老龄补贴" and "张桂兰已满80岁" in allowance[0].reason
    assert (almost.id, "old_age_allowance") not in codes(household)


def test_no_capacity_in_hardship_means_assistance_and_home_care(session) -> None:
    poor = create_household(session, hardship=True)
    person = member(session, poor, born=date(1960, 1, 1), work_capacity=WorkCapacity.none)
    assert {(person.id, "hardship_no_capacity"), (person.id, "home_care_hardship"),
            (person.id, "home_care_disabled")} <= codes(poor)
    well_off = create_household(session, hardship=False)
    other = member(session, well_off, born=date(1960, 1, 1), work_capacity=WorkCapacity.none)
    assert (other.id, "hardship_no_capacity") not in codes(well_off)
    assert (other.id, "home_care_disabled") in codes(well_off)


def test_disability_grade_and_critical_illness(session) -> None:
    household = create_household(session, hardship=True)
    severe = member(session, household, born=date(1980, 1, 1), disability_category="肢体", disability_grade=2,
                    work_capacity=WorkCapacity.partial, limits={"standing_walking": 1})
    mild = member(session, household, born=date(1982, 1, 1), disability_category="肢体", disability_grade=3,
                  work_capacity=WorkCapacity.partial, limits={"standing_walking": 1})
    ill = member(session, household, born=date(1970, 1, 1), health_note="尿毒症，每周透析三次")
    found = codes(household)
    assert (severe.id, "severe_disability") in found and (mild.id, "severe_disability") not in found
    reason = next(r.reason for r in rules.reminders(household, rules.load_rules(), TODAY)
                  if r.code == "critical_illness")
    assert "尿毒症" in reason and "大病救助" in reason
    assert (ill.id, "critical_illness") in found


def test_rules_come_from_a_json_file(tmp_path, session) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"code": "allowance_75", "policy": "老龄补贴", "min_age": 75,
                                 "reason": "{name}{age}岁，按本市新规可申领补贴"}], ensure_ascii=False), "utf-8")
    loaded = rules.load_rules(path)
    household = create_household(session)
    person = member(session, household, born=date(1949, 1, 1), name="赵大爷")
    found = rules.reminders(household, loaded, TODAY)
    assert [(r.resident_id, r.code, r.reason) for r in found] == [(person.id, "allowance_75", "赵大爷76岁，按本市新规可申领补贴")]


def test_a_malformed_rule_fails_loudly(tmp_path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"code": "x1", "policy": "老龄补贴", "reason": "r", "min_agee": 80}]), "utf-8")
    with pytest.raises(ValidationError):
        rules.load_rules(path)


def test_the_admins_rules_replace_the_file_from_the_first_save(tmp_path, session) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"code": "allowance_75", "policy": "老龄补贴", "min_age": 75,
                                 "reason": "{name}{age}岁，可申领补贴"}], ensure_ascii=False), "utf-8")
    assert [r.code for r in rules.rules_in_force(session, path)] == ["allowance_75"]
    rule = rules.PolicyRule(code=rules.new_code(session, path), policy="临时救助", hardship=True,
                            reason=rules.stored_reason("【姓名】家庭困难：可申请临时救助"))
    assert rule.reason == "{name}家庭困难：可申请临时救助"
    assert rules.save_rule(session, rule=rule, user=None, path=path) is True
    rules.switch_rule(session, code="allowance_75", enabled=False, user=None, path=path)
    # kept in the database now: the file is read no more, the switched-off rule stays listed
    path.unlink()
    assert [(r.code, on) for r, on in rules.rule_list(session)] == [("allowance_75", False), (rule.code, True)]
    assert [r.policy for r in rules.rules_in_force(session)] == ["临时救助"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"min_age": 70, "max_age": 60}, "最低年龄不能大于最高年龄"),
    ({}, "请至少设定一个条件"),
    ({"min_age": 60, "reason": "{address}可申请"}, "只能用【姓名】"),
    ({"work_capacity": ["strong"]}, "不认识的选项"),
])
def test_a_rule_that_could_not_work_is_refused(fields, message) -> None:
    with pytest.raises(ValidationError, match=message):
        rules.PolicyRule.model_validate({"code": "x1", "policy": "老龄补贴", "reason": "{name}可申请", **fields})
