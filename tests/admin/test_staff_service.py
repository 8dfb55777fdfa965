"""estation.accounts.staff on both engines: the rules every way of making or changing a staff account
shares (the admin screen and `estation user add`), and the access-log line each change leaves."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.accounts import staff
from estation.accounts.models import AccessLog, AuthSession, Role
from estation.accounts.service import start_session
from estation.errors import Conflict, InvalidInput
from tests.factories import create_user, seed_places

PASSWORD = "qingshan-lvshui-2026"


def test_a_community_leader_needs_a_community_and_a_counter_clerk_a_window(session: Session) -> None:
    seed_places(session)
    admin = create_user(session, role=Role.admin)
    with pytest.raises(InvalidInput) as refused:
        staff.create_staff_account(session, username="lingdao1", password=PASSWORD, role=Role.leader,
                                   display_name="王领导", by=admin)
    assert refused.value.field == "community_code"
    with pytest.raises(InvalidInput) as refused:
        staff.create_staff_account(session, username="chuangkou1", password=PASSWORD, role=Role.counter_staff,
                                   display_name="王窗口", window=100, by=admin)
    assert refused.value.field == "window"
    with pytest.raises(InvalidInput) as refused:
        staff.create_staff_account(session, username="jumin1", password=PASSWORD, role=Role.resident,
                                   display_name="王居民", by=admin)
    assert refused.value.field == "role"
    leader = staff.create_staff_account(session, username="lingdao1", password=PASSWORD, role=Role.leader,
                                        display_name=" 王领导 ", community_code="370102009001", by=admin)
    assert leader.display_name == "王领导"
    line = session.scalar(select(AccessLog).where(AccessLog.action == "create_account"))
    assert (line.user_id, line.what, line.reason) == (admin.id, "账号 lingdao1（王领导）", "新建联居领导账号")


def test_listing_finds_by_name_or_username_and_leaves_residents_out(session: Session) -> None:
    seed_places(session)
    admin = create_user(session, role=Role.admin)
    resident = create_user(session, role=Role.resident)
    staff.create_staff_account(session, username="ganbu-zhang", password=PASSWORD, role=Role.cadre,
                               display_name="张包户", by=admin)
    found = staff.accounts(session, text="张包")
    assert [u.username for u in found] == ["ganbu-zhang"]
    assert [u.username for u in staff.accounts(session, text="GANBU")] == ["ganbu-zhang"]
    assert resident not in staff.accounts(session)
    assert staff.active_with_role(session, Role.cadre)[0].username == "ganbu-zhang"


def test_disabling_ends_every_session_and_refuses_twice(session: Session) -> None:
    seed_places(session)
    admin = create_user(session, role=Role.admin)
    clerk = create_user(session, role=Role.counter_staff, window=2)
    start_session(session, user=clerk)
    start_session(session, user=clerk)
    staff.disable(session, account=clerk, reason="调离本岗位", by=admin)
    assert not clerk.active
    assert session.scalar(select(AuthSession).where(AuthSession.user_id == clerk.id)) is None
    with pytest.raises(Conflict):
        staff.disable(session, account=clerk, reason="调离本岗位", by=admin)
    assert staff.accounts(session, active=False) == [clerk]


def test_a_new_password_for_oneself_keeps_the_session_in_use(session: Session) -> None:
    admin = create_user(session, role=Role.admin)
    mine, _ = start_session(session, user=admin)
    start_session(session, user=admin)
    staff.reset_password(session, account=admin, password=PASSWORD, by=admin, keep_token=mine)
    assert len(list(session.scalars(select(AuthSession).where(AuthSession.user_id == admin.id)))) == 1
