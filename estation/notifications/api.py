"""JSON routes for a resident's own alerts outside the platform (短信和微信提醒)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from estation.accounts.models import Role
from estation.deps import DB, Principal, require_roles
from estation.errors import error_responses
from estation.notifications import alerts
from estation.notifications.schemas import AlertsIn, AlertsOut

router = APIRouter(prefix="/api/v1/me", tags=["alerts"])

ResidentOnly = Annotated[Principal, Depends(require_roles(Role.resident))]
READ = "本人查看提醒设置"
CHANGE = "本人修改提醒设置"


@router.get("/alerts", response_model=AlertsOut,
            summary="我的短信和微信提醒",
            description="居民本人查看现在接收哪些提醒、用短信还是微信（手机号已遮挡），以及哪些内容永远不会发到手机上"
                        "（身份证号、健康和困难情况）。查看记入访问日志。",
            responses=error_responses((404, "没有找到本人的居民信息")))
def get_alerts(db: DB, principal: ResidentOnly) -> AlertsOut:
    return AlertsOut.of(alerts.my_alerts(db, user=principal.user, reason=READ))


@router.put("/alerts", response_model=AlertsOut,
            summary="设置短信和微信提醒",
            description="居民本人选择接收方式（短信或微信）和提醒内容（求职进展、每日新岗位、通知公告），替换原来的选择。"
                        "短信需要登记过手机号；微信需要绑定过微信（或在 wechat_openid 里给出）；至少选一种内容。"
                        "每次改动记入本人档案的变更记录。",
            responses=error_responses((404, "没有找到本人的居民信息")))
def put_alerts(db: DB, principal: ResidentOnly, data: AlertsIn) -> AlertsOut:
    return AlertsOut.of(alerts.choose(db, user=principal.user, channel=data.channel,
                                      application_steps=data.application_steps, job_digest=data.job_digest,
                                      notices=data.notices, wechat_openid=data.wechat_openid, reason=CHANGE))


@router.delete("/alerts", response_model=AlertsOut,
               summary="不再接收短信和微信提醒",
               description="居民本人撤回同意：立即生效，已经在等待发送的提醒也不再发出；平台内的消息照常可看。"
                           "撤回记入本人档案的变更记录。没有同意过时什么也不改。",
               responses=error_responses((404, "没有找到本人的居民信息")))
def delete_alerts(db: DB, principal: ResidentOnly) -> AlertsOut:
    return AlertsOut.of(alerts.withdraw(db, user=principal.user, reason=CHANGE))
