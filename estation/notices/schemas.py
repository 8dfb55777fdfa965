"""What staff write for a notice, checked before anything is stored."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from estation.notices.models import NoticeAudience, NoticeKind

LONGEST = timedelta(days=366)
"""A notice stays in force at most a year: an older one is published again, read again."""

NAMES = {"kind": "类别", "title": "标题", "body": "内容", "audience": "发给谁", "community_code": "社区",
         "valid_from": "开始日期", "valid_until": "结束日期"}
"""The form's fields as staff read them (the first bad one is named in the error)."""


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: NoticeKind
    title: str = Field(min_length=1, max_length=60)
    body: str = Field(min_length=1, max_length=1000)
    audience: NoticeAudience
    community_code: str | None = Field(default=None, max_length=12)
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _consistent(self) -> "NoticeIn":
        if self.audience == NoticeAudience.community and not self.community_code:
            raise ValueError("发给一个社区的居民时，请选择社区")
        if self.audience != NoticeAudience.community:
            self.community_code = None
        if self.valid_until < self.valid_from:
            raise ValueError("结束日期不能早于开始日期")
        if self.valid_until - self.valid_from > LONGEST:
            raise ValueError("有效期最长一年")
        return self
