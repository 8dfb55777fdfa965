"""The API's data dictionary: a Chinese description for every field of its schemas.

A field the code describes itself (``Field(description=...)``) keeps that description. Every other field
is described here by its name, which means the same wherever it appears (``resident_id`` is always a
resident's number), or by ``Schema.field`` where one schema uses a name in its own way. Enums list each
value with its one Chinese label (estation.labels), and the physical demands and limits spell out the
0-4 scale of every functional domain (estation.physical), so neither can drift from the code.
"""

from __future__ import annotations

from typing import Any

from estation import physical
from estation.labels import Labelled

SCALE = ("每项0-4级，数字越大要求越高（对居民则是能做到的程度越高）：" + "。".join(
    physical.scale(d) for d in physical.DOMAIN_NAMES) + "。")
DEMANDS = f"岗位的体力要求，按用人单位如实说明的填写；这里没有的一项是没有说明（不等于0级），不会被当作轻活。{SCALE}"
STARTUP_DEMANDS = f"创业机会对体力的要求；没有填的一项按0级。{SCALE}"
LIMITS = f"居民每一项最多能做到的级别（岗位的要求不能超过它）；没有填的一项视为不受限（4级）。{SCALE}"

FIELDS: dict[str, str] = {
    "accepted_on": "材料齐全、正式受理的日期", "action": "应办的事", "actions": "办理记录，按时间先后",
    "address": "地址", "adjustment": "相关的便利措施", "adjustments": "用人单位可提供的便利（如无障碍通道、可坐着工作）",
    "advice": "对放宽这项限制的建议", "age": "年龄（周岁）", "age_band": "年龄段（不显示具体年龄）",
    "aliases": "该职业的其他叫法", "amount_yuan": "金额（元）", "answer": "答复内容", "answered_at": "答复时间",
    "answered_on": "回访日期", "answers": "受理时对情况问题的回答（问题编号 → 回答），决定需要哪些材料",
    "application_date": "申请转移的日期", "application_id": "求职申请编号", "applied_at": "提交求职意向的时间",
    "approve": "true 通过，false 不通过", "approved_official_transfer": "是否经组织批准调动（影响待遇领取地）",
    "at": "时间", "attendees": "参会人数", "available": "智能匹配当前是否可用；不可用时 message 说明原因",
    "backend": "所用的搜索后端", "base": "月缴费基数（元）", "base_share": "缴费基数占全省平均工资的比例（如 0.6）",
    "birth_date": "出生日期", "body": "消息正文", "by_service": "按服务事项统计", "by_user_id": "操作人的账号编号",
    "by_window": "按窗口统计", "cadre_id": "包户干部的账号编号", "cadre_name": "包户干部姓名",
    "cadre_names": "结对的包户干部姓名", "came_back_for_documents": "因缺材料再次来办的件数",
    "candidate_ref": "求职者代号（不透露身份，邀请时用）", "category": "问题类别", "channel": "留言的途径",
    "claim_province": "待遇领取地（省级行政区代码）", "closed_on": "办结或不予受理的日期",
    "code": "代码", "community_code": "社区的统计用区划代码（12位，如 370102009001）", "community_name": "社区名称",
    "completed": "办结件数", "completed_on_time": "按时办结件数", "compliant": "是否达到履职要求",
    "components": "得分的组成（各项因素的分值）", "conditions": "办理条件或申请条件",
    "consent_to_employers": "是否同意向用人单位展示求职信息（不含姓名和证件号）",
    "considerations": "推荐时考虑的情况（如只找居家工作）", "contact_name": "联系人", "contact_phone": "联系电话",
    "counted": "已安排的残疾职工人数（一、二级按两人计）", "created_at": "创建时间",
    "days_per_week": "每周工作天数", "days_without_contact": "多少天未联系",
    "definition": "职业定义", "degraded": "为 true 时结果来自备用方式（搜索引擎或模型不可用）",
    "demands": DEMANDS, "description": "说明", "details": "办件的详细情况（如转移接续测算结果）",
    "disability_category": "残疾类别", "disability_grade": "残疾等级（1-4级，1级最重）",
    "disabled_staff_grade12": "一、二级残疾职工人数", "disabled_staff_other": "三、四级残疾职工人数",
    "display_name": "姓名（显示用）", "distance_km": "距离（公里）", "documents": "材料",
    "domain": "体力要求的项目", "due_on": "到期日", "due_on_provisional": "到期日是否暂定（该年节假日安排尚未录入）",
    "education": "文化程度", "employer": "用人单位", "employer_id": "用人单位编号", "employer_name": "用人单位名称",
    "employment_status": "就业状态", "employment_type": "用工形式", "emptied_by": "使推荐结果为空的限制",
    "end": "结束月份（YYYY-MM）", "end_date": "结束日期", "end_month": "结束月份（YYYY-MM）", "end_reason": "结束原因",
    "entered": "该年的官方节假日安排是否已录入", "escalated_on": "升级日期", "escalated_to_id": "升级给的联居领导账号编号",
    "events": "办理记录，按时间先后", "experience": "工作经历", "explanation": "计算或推荐理由的文字说明",
    "facets": "各筛选项的结果计数", "fits_demands": "岗位的体力要求是否都在此人能做到的范围内",
    "from_status": "原状态", "gap": "还差的人数", "general_actions": "不针对具体问题的走访和联系记录",
    "handed_in": "已交的材料", "hardship": "是否困难家庭", "hardship_reason": "困难原因",
    "head_name": "户主姓名", "health_note": "健康状况说明（加密保存）", "held_on": "开会日期",
    "hires_needed": "还需安排的残疾人数", "history": "记录，按时间先后", "holidays": "工作日中放假的日子",
    "home_based": "是否居家工作", "home_based_only": "是否只找居家工作", "hours": "工时（小时）",
    "hours_per_day": "每天工作小时数", "household_id": "家庭编号", "households_visited": "走访的户数",
    "hukou_province": "户籍所在省级行政区代码（2位，如 37 山东）", "id": "编号",
    "id_number": "居民身份证号（18位，校验位须正确；加密保存）", "id_number_masked": "遮蔽后的身份证号（只显示首尾各一位）",
    "industry": "所属行业", "invitation_status": "邀请的状态", "item": "事项", "item_id": "问题事项编号",
    "items": "本页的条目", "jobs": "推荐的岗位", "key": "限制的标识（physical:项目、hours、distance、home_based_only）",
    "kind": "类别", "label": "名称", "last_contact_on": "最近一次联系的日期", "lat": "纬度（WGS84）",
    "leader_id": "联居领导的账号编号", "leader_name": "联居领导姓名", "leaders": "各位联居领导的履职情况",
    "level": "层级", "levy_exempt": "是否免缴残疾人就业保障金", "limits": LIMITS, "link": "相关页面的地址",
    "lon": "经度（WGS84）", "lower_base": "缴费基数下限（元/月）",
    "masked": "是否隐去了涉及隐私的内容", "masked_name": "遮蔽后的姓名", "matched": "匹配上的名称",
    "matches": "推荐的岗位", "max_hours_per_day": "每天最多能工作的小时数", "max_travel_km": "最远能接受的通勤距离（公里）",
    "meeting_held": "本季度是否开过联户会议", "meetings": "会议次数", "meets_15_year_minimum": "累计缴费是否满15年",
    "member_ids": "家庭成员的居民编号", "members": "家庭成员", "message": "说明", "met": "是否已达到规定比例",
    "monthly_amount": "每月应缴（元）", "monthly_wage_base": "月缴费基数（元）", "months": "月数",
    "name": "名称", "new_province": "要转入的省级行政区代码（2位）", "no_contact": "超过规定天数未联系的家庭",
    "no_contact_days": "多少天未联系算作超期", "note": "备注", "notes": "会议纪要", "notice": "给查询者的提示",
    "occupation_code": "职业分类代码（2022年版大典，如 4-07-05-01）", "occupation_codes": "职业分类代码",
    "occupations": "期望或从事过的职业", "on": "日期", "only_this": "只因这一项限制被排除的岗位数",
    "open": "未办结件数", "open_items": "未办结的问题事项数", "opened": "受理件数", "opened_on": "受理日期",
    "openings": "招聘人数", "outcome_ok": "是否办成", "outcome_reason": "办结说明或不予受理的原因",
    "overdue": "是否逾期", "overdue_items": "逾期的问题事项数", "page": "第几页（从1开始）",
    "pairings": "结对记录", "parent_code": "上一级职业代码", "password": "密码（至少10位，不能是常见密码）",
    "payer": "缴费方式", "per_page": "每页条数", "personal_account_amount": "转移的个人账户金额（元）",
    "personal_account_balance": "个人账户储存额（元）", "phone": "手机号或固定电话",
    "phone_masked": "遮蔽后的电话", "policy": "依据的政策", "pool": "参与推荐的相关岗位数",
    "pooled_fund_amount": "转移的统筹基金金额（元）", "posted_at": "发布时间",
    "preferred_days_per_week": "希望每周工作几天", "preferred_hours_per_day": "希望每天工作几小时",
    "problem": "问题描述", "procedure": "办理步骤", "provider": "提供方", "province": "省级行政区代码（2位）",
    "province_name": "省级行政区名称", "quarter": "季度（1-4）", "query_code": "查询码（8位数字，印在回执上）",
    "raised_by_id": "登记人的账号编号", "raised_on": "登记日期", "rate": "比例或费率（小数，如 0.2 即 20%）",
    "read_at": "阅读时间", "reason": "原因", "reasons": "推荐理由", "reference": "编号（给人看的，如印在回执上的）",
    "refusal_reason": "审核不通过的原因", "refused": "不予受理件数", "relation": "与户主的关系",
    "reminders": "政策提醒", "removed": "这项限制排除的相关岗位数", "reopened_count": "重新打开过的次数",
    "required": "按规定应安排的残疾人数", "required_documents": "需要的材料", "resident_id": "居民编号",
    "residents": "匹配的居民", "responded_at": "答复时间", "role": "角色", "scheme": "险种",
    "score": "相关程度（0-1，越大越相关）", "sensitive": "是否涉及隐私（只有结对干部和领导能看到内容）",
    "service": "服务事项名称", "service_code": "服务事项代码", "service_names": "服务事项代码 → 名称",
    "settled_cases": "因录入安排而重新计算了到期日的办件编号", "severe_hires_needed": "其中还需安排的一、二级残疾人数",
    "sex": "性别", "shift": "班次", "short_name": "简称", "similarity": "相似程度（0-1）", "since": "统计起始日期",
    "size": "每页条数", "skills": "技能", "skipped": "没有推荐的成员及原因", "slip_documents": "一次性告知单上列出的缺少材料",
    "snippet_html": "说明摘要，匹配的词用 <mark> 标出", "sort": "排序方式", "source": "依据（文件名称或来源）",
    "staff_count": "在职职工总数", "start": "开始月份（YYYY-MM）", "start_date": "开始日期",
    "start_month": "开始月份（YYYY-MM）", "started_on": "上岗日期", "startup_id": "创业机会编号",
    "startups": "推荐的创业机会", "status": "状态", "status_changes": "状态变化记录", "status_label": "状态（中文）",
    "status_reason": "状态的原因", "status_since": "自何时处于当前就业状态", "steps": "办理步骤",
    "still_employed": "是否仍在岗", "still_missing": "仍缺的材料", "suggestions": "联想到的岗位名称",
    "summary": "简介", "temporary_account": "是否临时缴费账户（户籍不在参保地、男50岁或女40岁以上时建立）",
    "text": "内容", "time_limit_working_days": "办理时限（工作日）", "title": "名称",
    "title_html": "名称，匹配的词用 <mark> 标出", "to": "改为的状态", "to_status": "新状态",
    "token": "令牌：放在之后请求的 Authorization: Bearer 请求头中", "topic": "议题", "total": "总数",
    "total_contribution_years": "各地累计缴费年限", "until": "统计截止日期", "upper_base": "缴费基数上限（元/月）",
    "uscc": "统一社会信用代码（18位）", "user_id": "账号编号", "username": "用户名", "vacancy_id": "岗位编号",
    "valid_until": "有效期至", "via_invitation": "是否通过邀请提交", "visits_required": "规定的走访户数",
    "wage_max": "月工资上限（元）", "wage_min": "月工资下限（元）", "walking_minutes": "步行约需几分钟",
    "window": "窗口号", "wishes": "求职意愿", "word": "词", "work_capacity": "劳动能力",
    "workdays": "周末调休上班的日子", "year": "年度", "years_by_province": "各省的缴费年限（省级行政区代码 → 年）",
    # Matching's fallback, volunteers and ratings
    "nearby": "匹配服务暂不可用时，离这户最近的在招岗位（近的在前）",
    "about": "理由所指的需求用语（需求名称或其中一项要求）", "active_last_quarter": "最近一个季度参加过服务的人数",
    "activities": "愿意参加的志愿活动", "activity": "志愿活动类别", "assigned": "已安排的志愿者人数",
    "assigned_on": "安排日期", "attended": "是否到场", "by_activity": "按活动类别统计",
    "by_age_band": "按年龄段统计", "by_community": "按社区统计", "consent_to_contact": "是否同意社区联系本人",
    "decline_reason": "未通过核实的原因", "first_on": "第一次服务的日期", "free_slots": "每周有空的时间（星期几:上午/下午/晚上）",
    "free_time": "每周有空的时间（文字说明）", "hours_served": "累计服务小时数", "interests": "兴趣爱好",
    "last_on": "最近一次服务的日期", "last_served_on": "最近一次服务的日期", "max_km": "愿意去多远（公里）",
    "need_id": "志愿服务需求编号", "need_title": "志愿服务需求名称", "part_of_day": "上午、下午或晚上",
    "party_member": "是否党员", "party_members": "党员人数", "place": "地点", "rated_at": "评价时间",
    "registered_on": "登记日期", "requirements": "需要什么：技能、人数、注意事项",
    "services": "每次服务的记录，按时间先后", "volunteer_id": "志愿者编号", "volunteer_name": "志愿者姓名",
    "volunteers": "志愿者人数", "wanted": "需要的志愿者人数", "weekly": "是否每周一次", "when": "时间（文字说明）",
}
"""A field's meaning by its name, the same in every schema."""

OWN_MEANING: dict[str, str] = {
    "ApplicationStatusChange.reason": "改变状态的原因（如未录用的原因，会告知居民）",
    "CaseOut.documents": "每项材料是否已交（材料名称 → 是否已交）",
    "CaseOut.reference": "办件编号（印在回执上）",
    "CommunityOut.lat": "社区中心的纬度", "CommunityOut.lon": "社区中心的经度",
    "ContributionQuoteIn.months": "要补缴的月数（与 start、end 二选一）",
    "ContributionQuoteOut.total": "合计应缴（元）",
    "EmployerRegistered.employer": "注册的用人单位（待审核）",
    "FiguresOut.total": "全部合计",
    "InsurancePeriodOut.months": "这段期间的缴费月数",
    "JobMatchOut.kind": "推荐的是岗位（vacancy）还是创业机会（startup）",
    "LoginIn.password": "密码",
    "MatchResult.message": "智能匹配不可用时的说明",
    "NotificationOut.kind": "消息类别",
    "NotificationOut.title": "消息标题",
    "OccupationSuggestion.name": "职业名称",
    "Reason.kind": "推荐理由的类别", "Reason.text": "推荐理由", "Reason.code": "相关的职业代码",
    "Reason.level": "相关的级别", "Reason.item": "相关的事项",
    "VolunteerReason.kind": "推荐理由的类别（时间、距离、活动、兴趣、特长、党员）", "VolunteerReason.text": "推荐理由",
    "VolunteerReason.item": "志愿者自己填的与需求相近的话", "MemberMatchOut.name": "姓名",
    "ReminderOut.code": "提醒规则的代码", "ReminderOut.name": "提醒的名称", "ReminderOut.reason": "为什么提醒",
    "ResidentCreate.name": "姓名", "ResidentOut.name": "姓名", "ResidentUpdate.name": "姓名",
    "ApplicantOut.name": "姓名（居民同意展示时）", "MemberWork.name": "姓名", "SkippedMember.name": "姓名",
    "SkippedOut.name": "姓名", "SkippedMember.reason": "没有推荐的原因", "SkippedOut.reason": "没有推荐的原因",
    "ServiceOut.code": "服务事项代码", "ServiceOut.name": "服务事项名称", "ServiceEdit.name": "服务事项名称",
    "ServiceOut.documents": "所需材料", "ServiceEdit.documents": "所需材料",
    "StartupCreate.demands": STARTUP_DEMANDS, "StartupOut.demands": STARTUP_DEMANDS,
    "StartupCreate.kind": "创业机会的类别", "SuggestionOut.kind": "留言的类别", "SuggestionOut.text": "留言内容",
    "VisitCreate.kind": "联系方式（入户走访、电话等）", "ActionCreate.kind": "办理方式", "ActionOut.kind": "办理方式",
    "StatusChangeOut.reason": "改变状态的原因", "StatusMove.reason": "改变状态的原因（可不填）",
    "TransferAssessmentIn.history": "各地的参保缴费经历，按时间先后",
    "VacancyRenew.valid_until": "新的有效期（不超过规定上限）",
}
"""Fields whose name means something of its own in that one schema."""


def describe_fields(components: dict[str, Any]) -> None:
    """Fill in the description of every schema property the code left without one, and list each enum's
    values with their Chinese labels."""
    labelled = _labelled_enums()
    for short, schema in components.items():  # each a class's own name: tests/test_api_docs.py keeps them unique
        if "enum" in schema and short in labelled:
            schema.setdefault("description", "取值：" + "；".join(f"{m.value} {m.label}" for m in labelled[short]))
        for field, spec in (schema.get("properties") or {}).items():
            meaning = OWN_MEANING.get(f"{short}.{field}") or FIELDS.get(field)
            if meaning and not spec.get("description"):
                spec["description"] = meaning


def _labelled_enums() -> dict[str, type[Labelled]]:
    found: dict[str, type[Labelled]] = {}
    pending = list(Labelled.__subclasses__())
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending += cls.__subclasses__()
    return found
