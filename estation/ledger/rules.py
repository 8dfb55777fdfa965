"""Policy reminders: which household members may qualify for which livelihood policy, and why.

The rules are data, not code: each is a dict of conditions and a Chinese reason template, so the
street office can change an age threshold or add a policy without a release: an admin edits them on the
admin screen (kept in ``policy_rule``); until the first edit the rules are the JSON file
``ESTATION_LEDGER_RULES_FILE`` or the built-in ones. A reminder is a prompt for the cadre to check,
never a decision: the reason says which facts triggered it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.accounts.models import User
from estation.errors import NotFound
from estation.labour.models import EmploymentStatus, Household, Resident, WorkCapacity
from estation.labour.service import age_on
from estation.ledger.models import PolicyRuleRow

FACTS = {"name": "姓名", "age": "年龄", "capacity": "劳动能力", "grade": "残疾等级", "illness": "疾病"}
"""The facts a reason may name, by their template key and the word an admin writes in 【】 for it."""
GRADES = {1: "一级", 2: "一级或二级", 3: "一至三级", 4: "任何等级的"}
"""``max_disability_grade`` in words: the certificates a rule takes (grade 1 is the most severe)."""

class PolicyRule(BaseModel):
    """One rule; every condition given must hold (AND). Omitted conditions are not checked."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    policy: str = Field(min_length=2, max_length=40)
    """The policy's Chinese name as cadres know it (困难救助, 大病救助, 居家养老, 老龄补贴, ...)."""
    reason: str = Field(min_length=2, max_length=300)
    """Chinese template; may use {name} {age} {capacity} {grade} {illness}."""
    action: str = Field(default="", max_length=200)
    """What the cadre should do next (where to apply, what to bring)."""
    min_age: int | None = Field(default=None, ge=0, le=130)
    max_age: int | None = Field(default=None, ge=0, le=130)
    work_capacity: list[str] | None = None
    max_disability_grade: int | None = Field(default=None, ge=1, le=4)
    """Grade 1 is the most severe: ``2`` matches certificates of grade 1 or 2."""
    hardship: bool | None = None
    """True: only members of households registered as in hardship."""
    health_keywords: list[str] | None = None
    """Any of these words in the member's health note (e.g. 尿毒症, 透析)."""
    employment_status: list[str] | None = None

    @model_validator(mode="after")
    def _sound(self) -> PolicyRule:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("最低年龄不能大于最高年龄")
        if not any(getattr(self, name) is not None for name in CONDITIONS):
            raise ValueError("请至少设定一个条件，否则每个人都会被提醒")
        unknown = set(self.work_capacity or ()) - {c.value for c in WorkCapacity}
        unknown |= set(self.employment_status or ()) - {s.value for s in EmploymentStatus}
        if unknown:
            raise ValueError("劳动能力或就业状况中有不认识的选项")
        try:
            self.reason.format(**{key: "" for key in FACTS})
        except (KeyError, IndexError, ValueError):
            raise ValueError("提醒原因中只能用【姓名】【年龄】【劳动能力】【残疾等级】【疾病】这几个代入项") from None
        return self


CONDITIONS = ("min_age", "max_age", "work_capacity", "max_disability_grade", "hardship", "health_keywords",
              "employment_status")


DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "code": "hardship_no_capacity",
        "policy": "困难救助",
        "work_capacity": ["none"],
        "hardship": True,
        "reason": "{name}{age}岁，{capacity}，家庭困难：应重点进行困难救助（最低生活保障、特困供养）。",
        "action": "核对家庭收入和财产，协助向街道社会救助窗口提出低保或特困申请。",
    },
    {
        "code": "severe_disability",
        "policy": "困难救助",
        "max_disability_grade": 2,
        "reason": "{name}持{grade}级残疾人证（重度）：可申请重度残疾人护理补贴，困难家庭可单独纳入低保。",
        "action": "到社区残协核实护理补贴发放情况。",
    },
    {
        "code": "critical_illness",
        "policy": "大病救助",
        "hardship": True,
        "health_keywords": ["癌", "肿瘤", "尿毒症", "透析", "白血病", "心脏", "脑梗", "中风", "器官移植", "大病"],
        "reason": "{name}患{illness}，家庭困难：医保报销后个人负担较重的，可申请大病救助（医疗救助）。",
        "action": "收集住院发票和医保结算单，协助向区医保局申请医疗救助。",
    },
    {
        "code": "home_care_hardship",
        "policy": "居家养老",
        "min_age": 60,
        "hardship": True,
        "reason": "{name}{age}岁，家庭困难：可享受政府购买的居家养老服务（助餐、助洁、上门照护）。",
        "action": "联系社区日间照料中心登记服务需求。",
    },
    {
        "code": "home_care_disabled",
        "policy": "居家养老",
        "min_age": 60,
        "work_capacity": ["none"],
        "reason": "{name}{age}岁，{capacity}：可评估失能等级，申请居家养老上门照护服务。",
        "action": "预约失能等级评估。",
    },
    {
        "code": "old_age_allowance",
        "policy": "老龄补贴",
        "min_age": 80,
        "reason": "{name}已满{age}岁：可申领高龄老人补贴（老龄补贴），请核实是否已按月发放。",
        "action": "核对老龄补贴发放名单，未领取的协助到社区申请。",
    },
    {
        "code": "employment_help",
        "policy": "就业援助",
        "min_age": 16,
        "max_age": 59,
        "work_capacity": ["full", "partial"],
        "employment_status": ["registered_unemployed"],
        "hardship": True,
        "reason": "{name}{age}岁，{capacity}，已失业登记，家庭困难：可认定为就业困难人员，帮助寻找合适的就业或创业机会。",
        "action": "点击“为这户找工作”，推荐合适岗位或创业项目。",
    },
]


@dataclass(frozen=True)
class Reminder:
    resident_id: int
    name: str
    code: str
    policy: str
    reason: str
    action: str


def load_rules(path: Path | None = None) -> list[PolicyRule]:
    """The rules from the configured JSON file, else the built-in ones; a malformed file fails loudly."""
    raw = json.loads(path.read_text(encoding="utf-8")) if path else DEFAULT_RULES
    return [PolicyRule.model_validate(r) for r in raw]


def _rows(session: Session) -> list[PolicyRuleRow]:
    return list(session.scalars(select(PolicyRuleRow).order_by(PolicyRuleRow.position)))


def _rule(row: PolicyRuleRow) -> PolicyRule:
    return PolicyRule.model_validate({**row.definition, "code": row.code})


def rule_list(session: Session, path: Path | None = None) -> list[tuple[PolicyRule, bool]]:
    """Every rule with whether it is switched on: the admin's, or (none saved yet) the file's or built-in."""
    rows = _rows(session)
    if not rows:
        return [(rule, True) for rule in load_rules(path)]
    return [(_rule(row), row.enabled) for row in rows]


def rules_in_force(session: Session, path: Path | None = None) -> list[PolicyRule]:
    """The rules the ledger reminds by: those of ``rule_list`` that are switched on."""
    return [rule for rule, enabled in rule_list(session, path) if enabled]


def _kept(session: Session, path: Path | None, user: User | None) -> dict[str, PolicyRuleRow]:
    """The admin's rows by code; the first edit copies the rules in force into them, so none is lost."""
    rows = _rows(session)
    if not rows:
        for position, rule in enumerate(load_rules(path)):
            row = PolicyRuleRow(code=rule.code, position=position, definition=rule.model_dump(exclude={"code"}),
                                enabled=True, changed_by_user_id=user.id if user else None)
            session.add(row)
            rows.append(row)
        session.flush()
    return {row.code: row for row in rows}


def new_code(session: Session, path: Path | None = None) -> str:
    """A code for a new rule (people see its policy name, never this)."""
    taken = {rule.code for rule, _ in rule_list(session, path)}
    return next(f"rule_{n}" for n in range(len(taken) + 1, len(taken) + 1000) if f"rule_{n}" not in taken)


def save_rule(session: Session, *, rule: PolicyRule, user: User | None, path: Path | None = None) -> bool:
    """Add the rule, or replace the one with its code; True when it is new."""
    rows = _kept(session, path, user)
    row = rows.get(rule.code)
    created = row is None
    if row is None:
        row = PolicyRuleRow(code=rule.code, position=max((r.position for r in rows.values()), default=-1) + 1,
                            enabled=True)
        session.add(row)
    row.definition = rule.model_dump(exclude={"code"})
    row.changed_by_user_id = user.id if user else None
    session.flush()
    return created


def switch_rule(session: Session, *, code: str, enabled: bool, user: User | None, path: Path | None = None) -> PolicyRule:
    """Switch a rule on or off (kept, so it can come back as it was)."""
    if all(rule.code != code for rule, _ in rule_list(session, path)):
        raise NotFound("没有这条提醒规则", field="code")
    row = _kept(session, path, user)[code]
    row.enabled = enabled
    row.changed_by_user_id = user.id if user else None
    session.flush()
    return _rule(row)


def describe(rule: PolicyRule) -> list[str]:
    """The rule's conditions in plain Chinese, one line each."""
    lines = []
    if rule.min_age is not None and rule.max_age is not None:
        lines.append(f"年龄{rule.min_age}至{rule.max_age}岁")
    elif rule.min_age is not None:
        lines.append(f"年龄{rule.min_age}岁及以上")
    elif rule.max_age is not None:
        lines.append(f"年龄{rule.max_age}岁及以下")
    if rule.work_capacity is not None:
        lines.append("劳动能力：" + "、".join(WorkCapacity(c).label for c in rule.work_capacity))
    if rule.max_disability_grade is not None:
        lines.append(f"持{GRADES[rule.max_disability_grade]}残疾人证")
    if rule.hardship is not None:
        lines.append("家庭困难" if rule.hardship else "家庭不困难")
    if rule.health_keywords is not None:
        lines.append("健康状况中写有：" + "、".join(rule.health_keywords))
    if rule.employment_status is not None:
        lines.append("就业状况：" + "、".join(EmploymentStatus(s).label for s in rule.employment_status))
    return lines


def shown_reason(template: str) -> str:
    """A reason template as an admin reads and writes it: {name} as 【姓名】."""
    for key, word in FACTS.items():
        template = template.replace("{" + key + "}", f"【{word}】")
    return template


def stored_reason(text: str) -> str:
    """The template of a reason an admin wrote (【姓名】 back to {name})."""
    for key, word in FACTS.items():
        text = text.replace(f"【{word}】", "{" + key + "}")
    return text


def _illness(rule: PolicyRule, note: str) -> str | None:
    return next((w for w in rule.health_keywords or () if w in note), None)


def matches(rule: PolicyRule, resident: Resident, household: Household, today: date) -> bool:
    age = age_on(resident.birth_date, today)
    if rule.min_age is not None and age < rule.min_age:
        return False
    if rule.max_age is not None and age > rule.max_age:
        return False
    if rule.work_capacity is not None and resident.work_capacity.value not in rule.work_capacity:
        return False
    if rule.max_disability_grade is not None and (
        resident.disability_grade is None or resident.disability_grade > rule.max_disability_grade
    ):
        return False
    if rule.hardship is not None and bool(household.hardship) != rule.hardship:
        return False
    if rule.health_keywords is not None and _illness(rule, resident.health_note or "") is None:
        return False
    if rule.employment_status is not None and resident.employment_status.value not in rule.employment_status:
        return False
    return True


def reminders(household: Household, rules: list[PolicyRule], today: date) -> list[Reminder]:
    """Every (member, rule) that matches, with its reason filled in from the member's own facts."""
    out: list[Reminder] = []
    for resident in household.members:
        for rule in rules:
            if not matches(rule, resident, household, today):
                continue
            facts = {
                "name": resident.name,
                "age": age_on(resident.birth_date, today),
                "capacity": resident.work_capacity.label,
                "grade": resident.disability_grade or "",
                "illness": _illness(rule, resident.health_note or "") or "",
            }
            out.append(Reminder(resident.id, resident.name, rule.code, rule.policy, rule.reason.format(**facts),
                                rule.action))
    return out
