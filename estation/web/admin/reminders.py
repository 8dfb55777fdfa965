"""The policy-reminder rules (政策提醒): who the ledger suggests checking for which policy, and why.

Each rule is a set of conditions (age, work capacity, disability certificate, hardship, illness words,
employment) and the reason the cadre reads, with the member's facts put in where the admin wrote
【姓名】, 【年龄】, ... A rule is switched off rather than deleted, so it can come back as it was."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from estation.deps import DB, parts
from estation.errors import EstationError, NotFound
from estation.labour.models import EmploymentStatus, WorkCapacity
from estation.ledger import rules
from estation.web.admin.common import Admin, admin_router, page
from estation.web.admin.forms import Posted, logged, parsed, text
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

NAMES = {"policy": "政策名称", "reason": "提醒原因", "action": "建议怎么办", "min_age": "最低年龄", "max_age": "最高年龄",
         "work_capacity": "劳动能力", "max_disability_grade": "残疾等级", "hardship": "家庭困难",
         "health_keywords": "健康状况中的字词", "employment_status": "就业状况"}
HARDSHIP = [("", "不限"), ("yes", "只提醒困难家庭的成员"), ("no", "只提醒非困难家庭的成员")]
_WORDS = re.compile(r"[\s,，、;；]+")


def _file(request: Request) -> Path | None:
    return parts(request).settings.ledger_rules_file


def _find(db: Session, request: Request, code: str) -> tuple[rules.PolicyRule, bool]:
    found = next(((r, on) for r, on in rules.rule_list(db, _file(request)) if r.code == code), None)
    if found is None:
        raise NotFound("没有这条提醒规则")
    return found


@router.get("/reminders")
def reminder_list(request: Request, db: DB, admin: Admin) -> HTMLResponse:
    shown = [{"rule": r, "on": on, "conditions": rules.describe(r), "reason": rules.shown_reason(r.reason)}
             for r, on in rules.rule_list(db, _file(request))]
    return page(request, "admin/reminders.html", {"rules": shown})


def _form_of(rule: rules.PolicyRule | None) -> dict[str, Any]:
    if rule is None:
        return {"work_capacity": [], "employment_status": []}
    return {
        "policy": rule.policy, "reason": rules.shown_reason(rule.reason), "action": rule.action,
        "min_age": "" if rule.min_age is None else str(rule.min_age),
        "max_age": "" if rule.max_age is None else str(rule.max_age),
        "work_capacity": rule.work_capacity or [], "employment_status": rule.employment_status or [],
        "max_disability_grade": "" if rule.max_disability_grade is None else str(rule.max_disability_grade),
        "hardship": "" if rule.hardship is None else "yes" if rule.hardship else "no",
        "health_keywords": "、".join(rule.health_keywords or []),
    }


def _edit_page(request: Request, code: str | None, form: dict[str, Any], *, error: str = "", field: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    return page(request, "admin/reminder_edit.html", {
        "code": code, "form": form, "error": error, "field": field, "grades": [(str(grade), words) for grade, words in rules.GRADES.items()], "hardships": HARDSHIP,
        "capacities": [(c.value, c.label) for c in WorkCapacity],
        "statuses": [(s.value, s.label) for s in EmploymentStatus], "facts": list(rules.FACTS.values()),
    }, status_code=status_code)


@router.get("/reminders/new")
def new_form(request: Request, admin: Admin) -> HTMLResponse:
    return _edit_page(request, None, _form_of(None))


@router.get("/reminders/{code}")
def edit_form(request: Request, db: DB, admin: Admin, code: str) -> HTMLResponse:
    rule, _on = _find(db, request, code)
    return _edit_page(request, code, _form_of(rule))


def _posted(form: FormData) -> dict[str, Any]:
    return {key: text(form, key) for key in ("policy", "reason", "action", "min_age", "max_age",
                                             "max_disability_grade", "hardship", "health_keywords")} | {
        key: [v for v in form.getlist(key) if isinstance(v, str)] for key in ("work_capacity", "employment_status")}


def _rule_of(code: str, values: dict[str, Any]) -> rules.PolicyRule:
    words = [w for w in _WORDS.split(values["health_keywords"]) if w]
    return parsed(rules.PolicyRule, {
        "code": code, "policy": values["policy"], "reason": rules.stored_reason(values["reason"]),
        "action": values["action"], "min_age": values["min_age"] or None, "max_age": values["max_age"] or None,
        "work_capacity": values["work_capacity"] or None, "employment_status": values["employment_status"] or None,
        "max_disability_grade": values["max_disability_grade"] or None,
        "hardship": {"yes": True, "no": False}.get(values["hardship"]), "health_keywords": words or None,
    }, NAMES)


def _save(request: Request, db: Session, admin: Admin, code: str | None, form: FormData) -> Response:
    values = _posted(form)
    try:
        rule = _rule_of(code or rules.new_code(db, _file(request)), values)
        with db.begin_nested():
            created = rules.save_rule(db, rule=rule, user=admin.user, path=_file(request))
            logged(db, admin.user, action="create" if created else "update", what=f"政策提醒规则：{rule.policy}",
                   reason="管理员新增提醒规则" if created else "管理员修改提醒规则")
    except EstationError as exc:
        return _edit_page(request, code, values, error=exc.message, field=exc.field, status_code=exc.status_code)
    done = quote(f"已保存“{rule.policy}”的提醒规则，台账即时按新规则提醒")
    return RedirectResponse(f"/admin/reminders?msg={done}", status_code=303)


@router.post("/reminders/new", dependencies=[CsrfChecked, SubmittedOnce])
def create(request: Request, db: DB, admin: Admin, form: Posted) -> Response:
    return _save(request, db, admin, None, form)


@router.post("/reminders/{code}", dependencies=[CsrfChecked, SubmittedOnce])
def save(request: Request, db: DB, admin: Admin, code: str, form: Posted) -> Response:
    _find(db, request, code)
    return _save(request, db, admin, code, form)


@router.post("/reminders/{code}/switch", dependencies=[CsrfChecked, SubmittedOnce])
def switch(request: Request, db: DB, admin: Admin, code: str, form: Posted) -> Response:
    enabled = text(form, "enabled") == "on"
    rule = rules.switch_rule(db, code=code, enabled=enabled, user=admin.user, path=_file(request))
    logged(db, admin.user, action="update", what=f"政策提醒规则：{rule.policy}",
           reason="管理员启用提醒规则" if enabled else "管理员停用提醒规则")
    done = quote(f"已{'启用' if enabled else '停用'}“{rule.policy}”的一条提醒规则")
    return RedirectResponse(f"/admin/reminders?msg={done}", status_code=303)
