"""Turning HTML form posts into the domain's schemas, and pydantic errors into friendly Chinese."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import ValidationError

from estation import clock
from estation.errors import EstationError, validation_message
from estation.physical import DOMAIN_NAMES, domain_label

FIELD_LABELS = {
    "uscc": "统一社会信用代码", "name": "单位名称", "industry": "所属行业", "contact_name": "联系人",
    "contact_phone": "联系电话", "address": "地址", "community_code": "所在社区", "lat": "纬度", "lon": "经度",
    "staff_count": "在职职工人数", "disabled_staff_grade12": "一、二级残疾职工人数",
    "disabled_staff_other": "三、四级残疾职工人数", "username": "用户名", "password": "密码",
    "password_confirm": "确认密码", "title": "岗位名称", "description": "岗位介绍", "occupation_code": "职业分类",
    "wage_min": "最低月薪", "wage_max": "最高月薪", "hours_per_day": "每天工作小时", "days_per_week": "每周工作天数",
    "shift": "班次", "employment_type": "用工形式", "home_based": "居家工作", "demands": "体力要求",
    "adjustments": "可提供的便利", "openings": "招聘人数", "valid_until": "有效期至", "reason": "原因",
    "status": "状态", "employer_id": "用人单位", "vacancy_id": "岗位",
} | {f"demand_{d}": f"体力要求·{domain_label(d)}" for d in DOMAIN_NAMES}


PATTERN_HINTS = {
    "contact_phone": "请填写11位手机号或带区号的固定电话",
    "username": "用户名为3-40位字母、数字、下划线、点或减号",
    "occupation_code": "职业代码格式如 4-07-05-01",
    "community_code": "请从列表中选择社区",
}


UNCHOSEN_DEMAND = "还没有选择，请按岗位的实际情况选一项"


class FormErrors(EstationError):
    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in errors.items()))
        self.errors = errors


def friendly(exc: ValidationError) -> dict[str, str]:
    """Field name -> a Chinese message, the first error per field."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        field = loc[0] if loc else "form"
        if field == "demands" and len(loc) > 1:
            field = f"demand_{loc[1]}"  # one message per functional domain, shown beside its choices
        if field in out:
            continue
        kind = err["type"]
        if field.startswith("demand_") and kind == "missing":
            message = UNCHOSEN_DEMAND
        elif kind == "string_pattern_mismatch" and field in PATTERN_HINTS:
            message = PATTERN_HINTS[field]
        else:
            message = validation_message(err)
        out[field] = message
    return out


def error_summary(errors: dict[str, str]) -> list[str]:
    """The form's errors as lines for the box above it; the unchosen physical demands as one line."""
    unchosen = [d for d in DOMAIN_NAMES if errors.get(f"demand_{d}") == UNCHOSEN_DEMAND]
    lines = [f"{FIELD_LABELS[k]}：{v}" if k in FIELD_LABELS else v
             for k, v in errors.items() if k.removeprefix("demand_") not in unchosen]
    if unchosen:
        lines.append(f"体力要求：“{'”“'.join(domain_label(d) for d in unchosen)}”还没有选择")
    return lines


def clean(form: dict[str, str], *names: str) -> dict[str, str | None]:
    """Stripped values; an empty optional field becomes None, so pydantic applies its default."""
    return {n: (form.get(n) or "").strip() or None for n in names}


def default_valid_until() -> date:
    return clock.today() + timedelta(days=30)


def chosen_demands(form, *, invalid: int | None) -> dict:
    """The demand level chosen per functional domain. A domain left unchosen is left out (nothing is
    assumed for the employer); a value that is not a level becomes ``invalid`` (dropped when None)."""
    out = {}
    for d in DOMAIN_NAMES:
        raw = (form.get(f"demand_{d}") or "").strip()
        if raw:
            out[d] = int(raw) if raw.isdigit() else invalid
    return {d: v for d, v in out.items() if v is not None}


def vacancy_fields(form) -> dict:
    """The vacancy form as the dict VacancyFields expects (demands per domain, ticked adjustments)."""
    data = {k: v for k, v in clean(form, "title", "description", "occupation_code", "community_code", "address",
                                      "lat", "lon", "wage_min", "wage_max", "hours_per_day", "days_per_week",
                                      "shift", "employment_type", "openings", "valid_until").items()
            if v is not None}
    data.setdefault("description", "")
    data["home_based"] = form.get("home_based") == "on"
    data["demands"] = chosen_demands(form, invalid=-1)  # -1 fails validation with a clear message
    data["adjustments"] = [a for a in form.getlist("adjustments") if a]
    return data
