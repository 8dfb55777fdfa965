"""Services on SQLite and PostgreSQL: registration, close/renew, invitations, candidates, notifications."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from estation.accounts.models import AccessLog, Role
from estation.accounts.passwords import verify_password
from estation.config import Settings
from estation.errors import Conflict, Forbidden, InvalidInput, NotFound
from estation.identifiers import make_uscc
from estation.db import utcnow
from estation.jobs import candidates, invitations, placements, service
from estation.jobs.models import ApplicationStatus, EmployerStatus, InvitationStatus, VacancyStatus
from estation.jobs.schemas import EmployerRegistration
from estation.notifications import service as notes
from estation.notifications.models import Audience, Channel, Notification
from estation.notifications.notifier import (
    ByChannel, DisabledNotifier, LoggingNotifier, build_notifier, deliver_pending, due_at,
)
from estation.outbox import OutboxEntry
from tests.employer.conftest import make_company
from tests.factories import create_resident, create_user, seed_places


def _notes(session, **where) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    for k, v in where.items():
        stmt = stmt.where(getattr(Notification, k) == v)
    return list(session.scalars(stmt))


def _registration(**kw) -> EmployerRegistration:
    fields = dict(uscc=make_uscc("91370102MA3CRG001"), name="济南甸柳便民超市有限公司", contact_name="孙经理",
                  contact_phone="13912345678", address="历下区甸柳新村商业街5号", community_code="370102009001",
                  staff_count=120, disabled_staff_grade12=0, disabled_staff_other=1, username="bianmin-chaoshi",
                  password="a-long-password")
    fields.update(kw)
    return EmployerRegistration(**fields)


def test_registration_creates_a_pending_employer_with_its_account_and_tells_staff(session) -> None:
    seed_places(session)
    employer, user = service.register_employer(session, data=_registration())
    assert employer.status == EmployerStatus.pending
    assert user.role == Role.employer and user.employer_id == employer.id
    assert verify_password(user.password_hash, "a-long-password")
    staff = _notes(session, audience=Audience.staff, kind="employer.registered")
    assert [n.title for n in staff] == ["新用人单位待审核：济南甸柳便民超市有限公司"]
    with pytest.raises(Conflict) as err:
        service.register_employer(session, data=_registration(uscc=make_uscc("91370102MA3CRG002")))
    assert err.value.field == "username"


def test_decision_notifies_the_employer(session) -> None:
    company = make_company(session, status=EmployerStatus.pending)
    with pytest.raises(InvalidInput):
        service.decide_employer(session, employer=company.employer, approve=False, reason="  ")
    service.decide_employer(session, employer=company.employer, approve=False, reason="营业执照已注销")
    [note] = _notes(session, audience=Audience.employer, employer_id=company.employer.id)
    assert note.title == "单位注册未通过审核" and "营业执照已注销" in note.body


def test_close_and_renew(session) -> None:
    company = make_company(session)
    vacancy = company.vacancy
    service.close_vacancy(session, vacancy=vacancy)
    assert vacancy.status == VacancyStatus.closed
    with pytest.raises(InvalidInput):
        service.close_vacancy(session, vacancy=vacancy)
    with pytest.raises(InvalidInput) as err:
        service.renew_vacancy(session, vacancy=vacancy, valid_until=date.today() + timedelta(days=400))
    assert err.value.field == "valid_until"
    service.renew_vacancy(session, vacancy=vacancy, valid_until=date.today() + timedelta(days=90))
    assert vacancy.status == VacancyStatus.open and vacancy.valid_until == date.today() + timedelta(days=90)
    topics = session.scalars(select(OutboxEntry.topic).where(OutboxEntry.entity_id == vacancy.id,
                                                             OutboxEntry.topic == "index.vacancy")).all()
    assert len(topics) == 2  # the index hears of both changes


def test_status_changes_notify_resident_and_staff_not_the_acting_employer(session) -> None:
    company = make_company(session)
    resident = create_resident(session, name="赵丽")
    application = service.apply(session, resident=resident, vacancy=company.vacancy, by_user_id=None)
    assert _notes(session, audience=Audience.employer, kind="application.new")[-1].employer_id == company.employer.id
    placements.schedule_interview(session, application=application, at=utcnow(), place="单位二楼会议室",
                                  user=company.user)
    placements.move(session, application=application, status=ApplicationStatus.not_hired, reason="岗位已招满",
                    user=company.user)
    mine = _notes(session, audience=Audience.resident, resident_id=resident.id)
    assert [n.title for n in mine] == ["您的求职申请状态：已约面试", "您的求职申请状态：未录用"]
    assert "岗位已招满" in mine[-1].body
    assert len([n for n in _notes(session, audience=Audience.staff, kind="application.status")
                if application.reference in n.body]) == 2
    assert not _notes(session, audience=Audience.employer, kind="application.status")


def test_invitation_accept_makes_an_application_and_decline_is_final(session) -> None:
    company = make_company(session)
    willing = create_resident(session, name="钱芳", consent_to_employers=True)
    shy = create_resident(session, name="周强", consent_to_employers=False)
    with pytest.raises(Forbidden):
        invitations.invite(session, vacancy=company.vacancy, resident=shy, by_user_id=company.user.id)
    inv = invitations.invite(session, vacancy=company.vacancy, resident=willing, by_user_id=company.user.id,
                             message="欢迎来面试")
    assert _notes(session, audience=Audience.resident, resident_id=willing.id)[-1].kind == "invitation.new"
    with pytest.raises(Conflict):
        invitations.invite(session, vacancy=company.vacancy, resident=willing, by_user_id=company.user.id)
    with pytest.raises(NotFound):  # someone else's invitation is not theirs to learn of
        invitations.accept_invitation(session, invitation_id=inv.id, resident_id=shy.id, by_user_id=None,
                                      share_phone=True)
    invitations.accept_invitation(session, invitation_id=inv.id, resident_id=willing.id, by_user_id=None,
                                  share_phone=True)
    assert inv.status == InvitationStatus.accepted and inv.application_id is not None and inv.responded_at
    with pytest.raises(Conflict):
        invitations.decline_invitation(session, invitation_id=inv.id, resident_id=willing.id)
    applicants = candidates.applicants(session, vacancy=company.vacancy, viewer=company.user)
    assert [(a.name, a.via_invitation) for a in applicants] == [("钱芳", True)]
    logged = session.scalars(select(AccessLog).where(AccessLog.resident_id == willing.id).order_by(AccessLog.id)).all()
    assert [(row.user_id, row.action, row.what) for row in logged] == [
        (company.user.id, "invite", "您的求职信息（未显示姓名）"), (company.user.id, "read", "您的求职申请")]
    assert _notes(session, audience=Audience.employer, kind="invitation.accepted")


def test_invitation_decline(session) -> None:
    company = make_company(session)
    resident = create_resident(session, consent_to_employers=True)
    inv = invitations.invite(session, vacancy=company.vacancy, resident=resident, by_user_id=None)
    invitations.decline_invitation(session, invitation_id=inv.id, resident_id=resident.id)
    assert inv.status == InvitationStatus.declined
    assert invitations.invitations_for_resident(session, resident_id=resident.id, pending_only=True) == []
    assert not candidates.applicants(session, vacancy=company.vacancy, viewer=company.user)


def test_candidate_references_resolve_only_consenting_residents_of_that_vacancy(session) -> None:
    a = make_company(session)
    b = make_company(session)
    willing = create_resident(session, consent_to_employers=True)
    shy = create_resident(session, consent_to_employers=False)
    ref = candidates.candidate_ref(a.vacancy.id, willing.id)
    assert ref != candidates.candidate_ref(b.vacancy.id, willing.id)
    assert candidates.resolve_candidate(session, vacancy=a.vacancy, ref=ref).id == willing.id
    with pytest.raises(NotFound):
        candidates.resolve_candidate(session, vacancy=b.vacancy, ref=ref)
    with pytest.raises(NotFound):
        candidates.resolve_candidate(session, vacancy=a.vacancy, ref=candidates.candidate_ref(a.vacancy.id, shy.id))


def test_recommendations_say_honestly_when_matching_is_unavailable(session, tmp_path) -> None:
    from estation.app import create_app

    company = make_company(session)
    # A real app whose model setting names a folder that does not exist: matching cannot load.
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", environment="test",
                              var_dir=tmp_path, embedding_model=str(tmp_path / "no-such-model")))
    try:
        rec = candidates.recommended(session, vacancy=company.vacancy, rank=app.state.parts.rank_residents)
    finally:
        app.state.parts.stop_workers()
    assert rec.available is False and rec.items == [] and rec.message == candidates.UNAVAILABLE


def test_notification_inbox_is_per_audience_and_external_delivery_is_off_by_default(session) -> None:
    company = make_company(session)
    resident = create_resident(session, phone="13700001111")
    resident_user = create_user(session, role=Role.resident, resident_id=resident.id)
    staff = create_user(session, role=Role.counter_staff)
    application = service.apply(session, resident=resident, vacancy=company.vacancy, by_user_id=resident_user.id)
    placements.move(session, application=application, status=ApplicationStatus.contacted, reason=None, user=staff)

    assert [n.kind for n in notes.inbox(session, user=resident_user)] == ["application.status"]
    assert {n.kind for n in notes.inbox(session, user=company.user)} == {"application.new", "application.status"}
    assert all(n.audience == Audience.staff for n in notes.inbox(session, user=staff))
    with pytest.raises(Forbidden):
        notes.mark_read(session, user=company.user, notification_id=notes.inbox(session, user=resident_user)[0].id)
    assert notes.unread_count(session, user=resident_user) == 1
    notes.mark_read(session, user=resident_user, notification_id=notes.inbox(session, user=resident_user)[0].id)
    assert notes.unread_count(session, user=resident_user) == 0

    assert Settings().external_notifications == "off"
    assert isinstance(build_notifier(Settings()), DisabledNotifier)
    assert deliver_pending(session, DisabledNotifier()) == 0
    assert session.scalar(select(OutboxEntry).where(OutboxEntry.topic == "notify", OutboxEntry.done_at.is_(None))) is None


def test_logging_notifier_gets_each_message_with_the_recipients_phone(session) -> None:
    company = make_company(session)
    resident = create_resident(session, phone="13700002222")
    notes.opt_in(session, resident_id=resident.id, channel=Channel.sms)  # residents get only what they opted in to
    application = service.apply(session, resident=resident, vacancy=company.vacancy, by_user_id=None)
    deliver_pending(session, DisabledNotifier())  # earlier rows of this test
    placements.move(session, application=application, status=ApplicationStatus.contacted, reason=None,
                    user=company.user)
    fake = build_notifier(Settings(external_notifications="log"))
    assert isinstance(fake, ByChannel) and isinstance(fake.sms, LoggingNotifier)
    assert deliver_pending(session, fake) == 2  # the resident and the staff inbox; the acting employer is not told
    by_audience = {m.audience: m for m in fake.sms.sent}
    assert by_audience[Audience.resident].to == "13700002222"
    assert by_audience[Audience.staff].to is None
    assert deliver_pending(session, fake) == 0  # nothing is sent twice


def test_a_failing_gateway_keeps_the_row_for_retry(session) -> None:
    company = make_company(session)
    resident = create_resident(session)
    deliver_pending(session, DisabledNotifier())

    class Broken:
        name = "broken"

        def send(self, message) -> bool:
            raise ConnectionError("短信网关不可用")

    service.apply(session, resident=resident, vacancy=company.vacancy, by_user_id=None)
    assert deliver_pending(session, Broken()) == 0
    row = session.scalar(select(OutboxEntry).where(OutboxEntry.topic == "notify", OutboxEntry.done_at.is_(None)))
    assert row is not None and "短信网关不可用" in row.last_error and row.attempts == 1
    assert deliver_pending(session, LoggingNotifier()) == 0  # not yet: the next try waits 30 s
    assert deliver_pending(session, LoggingNotifier(), now=due_at(row)) == 1
