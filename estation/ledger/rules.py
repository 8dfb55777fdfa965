"""Policy reminders: which household members may qualify for which livelihood policy, and why.

The rules are data, not code: each is a dict of conditions and a Chinese reason template, so the
street office can change an age threshold or add a policy by editing a JSON file
(``ESTATION_LEDGER_RULES_FILE``) without a release. A reminder is a prompt for the cadre to check,
never a decision: the reason says which facts triggered it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from estation.labour.models import Household, Resident
from estation.labour.service import age_on

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
