"""What the volunteer pages share: the role checks, reading a form into the service's schema, the form's
field names in Chinese."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends
from pydantic import BaseModel, ValidationError

from estation.deps import Principal
from estation.errors import InvalidInput, validation_message
from estation.volunteers import service
from estation.web.security import require_web_roles

Keeper = Annotated[Principal, Depends(require_web_roles(*service.KEEPERS))]
Reader = Annotated[Principal, Depends(require_web_roles(*service.READERS))]
Poster = Annotated[Principal, Depends(require_web_roles(*service.POSTERS))]
Model = TypeVar("Model", bound=BaseModel)

FIELD_NAMES = {
    "community_code": "社区", "name": "姓名", "id_number": "身份证号", "phone": "手机", "interests": "兴趣爱好",
    "skills": "技能特长", "activities": "愿意参加的活动", "free_slots": "空余时间", "party_member": "是否党员",
    "consent_to_contact": "同意联系", "max_km": "服务距离", "activity": "活动类别", "title": "标题",
    "requirements": "需要什么", "household_id": "探访的家庭", "place": "地点", "first_on": "开始日期",
    "part_of_day": "时段", "weekly": "每周一次", "hours": "服务时长", "wanted": "需要人数", "volunteer_id": "志愿者",
    "on": "服务日期", "attended": "是否到岗", "note": "备注",
    "age_band": "年龄段", "reason": "原因",
}


def parse(schema: type[Model], values: dict[str, Any]) -> Model:
    """The schema from a form's values; the first mistake named in Chinese with its field."""
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        first: dict[str, Any] = dict(exc.errors()[0])
        field = str(first["loc"][0]) if first["loc"] else ""
        raise InvalidInput(f"“{FIELD_NAMES.get(field, '填写的内容')}”：{validation_message(first)}", field=field) from None
