"""The resident's choice of alerts outside the platform, as the JSON API takes and gives it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from estation.notifications.alerts import MyAlerts
from estation.notifications.models import Channel


class AlertsIn(BaseModel):
    channel: Channel = Field(description="接收方式：sms 短信（发到登记的手机号），wechat 微信服务通知")
    application_steps: bool = Field(default=True, description="求职进展：用人单位的邀请和每份申请的每一步")
    job_digest: bool = Field(default=False, description="每日新岗位：每天一条，适合本人的新岗位（最多5个，只有岗位名称、单位和离家远近）")
    notices: bool = Field(default=False, description="通知公告：街道发给本人的通知")
    wechat_openid: str | None = Field(default=None, max_length=200,
                                      description="微信公众号给本人的地址（openid），选微信时需要；已绑定的可不填")


class AlertsOut(BaseModel):
    active: bool = Field(description="是否在接收提醒（false：只在平台内看消息，什么都不发到手机）")
    channel: Channel | None = Field(description="接收方式（不接收时为空）")
    application_steps: bool = Field(description="是否接收求职进展（邀请和申请的每一步）")
    job_digest: bool = Field(description="是否接收每日新岗位")
    notices: bool = Field(description="是否接收通知公告")
    given_at: datetime | None = Field(description="本次同意的时间")
    sms_to: str = Field(description="短信发往的手机号（已遮挡；空：没有登记手机号）")
    wechat_bound: bool = Field(description="是否已绑定微信")
    never_sent: list[str] = Field(description="无论选了什么，都不会发到手机上的内容")

    @classmethod
    def of(cls, mine: MyAlerts) -> AlertsOut:
        c = mine.consent
        return cls(active=c is not None, channel=c.channel if c else None,
                   application_steps=bool(c and c.application_steps), job_digest=bool(c and c.job_digest),
                   notices=bool(c and c.notices), given_at=c.given_at if c else None, sms_to=mine.phone,
                   wechat_bound=mine.wechat_bound, never_sent=list(NEVER_SENT))


NEVER_SENT = ("身份证号", "健康、残疾情况", "家庭困难、救助情况")
"""What never leaves the platform whatever is chosen (estation.notifications.notifier.outside_text)."""
