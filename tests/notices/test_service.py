"""Notices (issue 19 point 3): validity, audience and place decide where a notice shows; staff write within
their reach; a push reaches once the residents of its audience who agreed to get notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from estation import clock
from estation.accounts.models import Role
from estation.errors import Conflict, Forbidden
from estation.labour.models import Registration
from estation.notices import service as notices
from estation.notices.models import NoticeAudience, NoticeKind, NoticeState
from estation.notices.schemas import NoticeIn
from estation.notifications.models import Audience, Channel, Notification
from estation.notifications.service import opt_in, opt_out
from estation.notifications.wechat import NOTICE_KIND
from tests.factories import create_household, create_resident, create_user, seed_places

FIRST, THIRD = "370102009002", "370102009001"  # 甸柳新村第一社区, 甸柳新村第三社区


def _in(title: str, *, audience: NoticeAudience = NoticeAudience.everyone, community: str | None = None,
        start: int = 0, end: int = 10, kind: NoticeKind = NoticeKind.news) -> NoticeIn:
    today = clock.today()
    return NoticeIn(kind=kind, title=title, body=f"{title}的内容", audience=audience, community_code=community,
                    valid_from=today + timedelta(days=start), valid_until=today + timedelta(days=end))


def test_where_a_notice_shows(session) -> None:
    seed_places(session)
    admin = create_user(session, role=Role.admin)
    today = clock.today()
    street = notices.publish(session, user=admin, data=_in("街道"))
    seekers = notices.publish(session, user=admin, data=_in("求职", audience=NoticeAudience.job_seekers))
    third = notices.publish(session, user=admin, data=_in("三社区", audience=NoticeAudience.community, community=THIRD))
    notices.publish(session, user=admin, data=_in("一社区", audience=NoticeAudience.community, community=FIRST))
    later = notices.publish(session, user=admin, data=_in("明天起", start=1))
    over = notices.publish(session, user=admin, data=_in("昨天止", start=-5, end=-1))
    gone = notices.publish(session, user=admin, data=_in("撤下"))
    notices.withdraw(session, user=admin, notice_id=gone.id)

    def shown(place: str | None, day: date = today) -> set[str]:
        return {n.title for n in notices.in_force(session, today=day, community_code=place) if n.title in TITLES}
    TITLES = {"街道", "求职", "三社区", "一社区", "明天起", "昨天止", "撤下"}
    assert shown(None) == {"街道", "求职"}
    assert shown(THIRD) == {"街道", "求职", "三社区"}
    assert shown(THIRD, today + timedelta(days=1)) == {"街道", "求职", "三社区", "明天起"}
    assert shown(None, today - timedelta(days=2)) == {"昨天止"}
    assert [notices.state_of(n, today) for n in (street, later, over, gone)] == [
        NoticeState.in_force, NoticeState.scheduled, NoticeState.expired, NoticeState.withdrawn]
    assert notices.public_notice(session, seekers.id, today=today) is seekers
    for hidden in (later, over, gone):
        with pytest.raises(Exception, match="不存在或已过期"):
            notices.public_notice(session, hidden.id, today=today)
    assert notices.state_of(third, today + timedelta(days=11)) == NoticeState.expired


def test_community_staff_write_for_their_community_only(session) -> None:
    seed_places(session)
    admin = create_user(session, role=Role.admin)
    staff = create_user(session, role=Role.community_staff, community_code=THIRD)
    own = notices.publish(session, user=staff, data=_in("三社区义诊", audience=NoticeAudience.community, community=THIRD))
    for data in (_in("全街道", audience=NoticeAudience.everyone),
                 _in("一社区", audience=NoticeAudience.community, community=FIRST)):
        with pytest.raises(Forbidden):
            notices.publish(session, user=staff, data=data)
    other = notices.publish(session, user=admin, data=_in("一社区", audience=NoticeAudience.community, community=FIRST))
    with pytest.raises(Forbidden):
        notices.withdraw(session, user=staff, notice_id=other.id)
    assert {n.id for n in notices.staff_list(session, user=staff)} >= {own.id}
    assert other.id not in {n.id for n in notices.staff_list(session, user=staff)}
    assert notices.audiences_for(staff) == [NoticeAudience.community]
    changed = notices.edit(session, user=staff, notice_id=own.id, data=_in(
        "三社区义诊改期", audience=NoticeAudience.community, community=THIRD, start=2, end=3))
    assert (changed.title, changed.valid_from, changed.updated_by) == ("三社区义诊改期", clock.today() + timedelta(days=2), staff.id)


def test_a_bad_notice_names_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="请选择社区"):
        _in("x", audience=NoticeAudience.community)
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        _in("x", start=3, end=1)
    with pytest.raises(ValidationError, match="有效期最长一年"):
        _in("x", end=400)
    assert _in("x", community=THIRD).community_code is None  # only a community notice names a community


def _opted(session, *, community: str = FIRST, notices_too: bool = True, seeker: bool = False,
           channel: Channel = Channel.wechat) -> int:
    extra = {"registration": Registration.unemployment, "registered_on": date(2026, 1, 5)} if seeker else {}
    resident = create_resident(session, household=create_household(session, community_code=community), **extra)
    opt_in(session, resident_id=resident.id, channel=channel, wechat_openid=f"oWx-{resident.id}",
           notices=notices_too)
    return resident.id


def test_a_push_reaches_once_the_audience_who_agreed(session) -> None:
    seed_places(session)
    admin = create_user(session, role=Role.admin)
    in_c3, in_c1, seeker_c1 = _opted(session, community=THIRD), _opted(session), _opted(session, seeker=True)
    no_notices = _opted(session, community=THIRD, notices_too=False)
    withdrawn = _opted(session, community=THIRD, seeker=True)
    opt_out(session, resident_id=withdrawn)
    create_resident(session, household=create_household(session, community_code=THIRD))  # never opted in

    def pushed(data: NoticeIn) -> set[int]:
        notice = notices.publish(session, user=admin, data=data)
        assert notices.push(session, user=admin, notice_id=notice.id, today=clock.today()) == len(
            rows := session.scalars(select(Notification).where(Notification.kind == NOTICE_KIND,
                                                               Notification.link == f"/m/notices/{notice.id}")).all())
        assert all(r.audience == Audience.resident and r.title == f"{data.kind.label}：{data.title}" for r in rows)
        return {r.resident_id for r in rows} & {in_c3, in_c1, seeker_c1, no_notices, withdrawn}

    assert pushed(_in("全街道")) == {in_c3, in_c1, seeker_c1}
    assert pushed(_in("三社区", audience=NoticeAudience.community, community=THIRD)) == {in_c3}
    assert pushed(_in("招聘会", audience=NoticeAudience.job_seekers, kind=NoticeKind.job_fair)) == {seeker_c1}

    notice = notices.publish(session, user=admin, data=_in("只推一次"))
    notices.push(session, user=admin, notice_id=notice.id, today=clock.today())
    with pytest.raises(Conflict, match="已经推送过了"):
        notices.push(session, user=admin, notice_id=notice.id, today=clock.today())
    later = notices.publish(session, user=admin, data=_in("明天起", start=1))
    with pytest.raises(Conflict, match="有效期内"):
        notices.push(session, user=admin, notice_id=later.id, today=clock.today())
    assert later.pushed_at is None
