"""Issue 15 point 4, the screens without a browser: the employer's step forms refuse in Chinese (422
naming the field, 409 for a step the application cannot take now), only the vacancy's own employer may
take a step, the pages show labels and never codes, and the counter's 上岗跟踪 lists and records the
follow-ups due."""

from __future__ import annotations

import re
from datetime import date, timedelta

from estation.accounts.models import Role
from estation.db import utcnow
from estation.jobs import placements, service
from estation.jobs.models import Application, ApplicationStatus, PlacementFollowUp
from tests.employer.conftest import csrf, make_company
from estation.labour.models import Resident
from tests.factories import create_resident, create_user
from tests.ledger.helpers import pair

TODAY = date.today()


def _offered(api):
    with api.db() as s:
        company = make_company(s, title="小区绿化养护工")
        application = service.apply(s, resident=create_resident(s, name="吴淑珍"), vacancy=company.vacancy,
                                    by_user_id=None)
        application.created_at = utcnow() - timedelta(days=70)
        s.commit()
        return company, application.id


def test_the_employers_step_forms_refuse_in_chinese_and_only_for_their_own_applicants(api) -> None:
    company, application_id = _offered(api)
    client = api.client_for(company.user)
    page = f"/employer/vacancies/{company.vacancy.id}/candidates"
    token = csrf(client, page)
    base = f"/employer/applications/{application_id}"

    r = client.post(f"{base}/hire", data={"csrf_token": token, "started_on": str(TODAY), "monthly_wage": "3000",
                                          "contract_type": "fixed_term"})
    assert r.status_code == 409 and "请先发录用通知" in r.text
    r = client.post(f"{base}/interview", data={"csrf_token": token, "interview_at": f"{TODAY}T09:00",
                                               "interview_place": ""})
    assert r.status_code == 422 and "面试地点" in r.text
    r = client.post(f"{base}/interview", data={"csrf_token": token, "interview_at": "明天上午",
                                               "interview_place": "小区物业办公室"})
    assert r.status_code == 422 and "“面试时间”" in r.text
    with api.db() as s:
        assert s.get(Application, application_id).status == ApplicationStatus.new  # nothing was written

    with api.db() as s:
        other = make_company(s)
        s.commit()
    other_client = api.client_for(other.user)
    r = other_client.post(f"{base}/interview", data={"csrf_token": csrf(other_client, f"/employer/vacancies/{other.vacancy.id}/candidates"),
                                                     "interview_at": f"{TODAY - timedelta(days=60)}T09:00",
                                                     "interview_place": "小区物业办公室"})
    assert r.status_code == 403

    steps = [("interview", {"interview_at": f"{TODAY - timedelta(days=60)}T09:00", "interview_place": "小区物业办公室"}),
             ("attendance", {"attended": "true"}), ("status", {"status": "offered"}),
             ("hire", {"started_on": str(TODAY - timedelta(days=40)), "monthly_wage": "2600",
                       "contract_type": "service", "public_welfare": "on", "term_until": str(TODAY + timedelta(days=300))})]
    for step, fields in steps:
        r = client.post(f"{base}/{step}", data={"csrf_token": token, **fields}, follow_redirects=False)
        assert r.status_code == 303, (step, r.text[:300])
    html = client.get(page).text
    assert "劳务协议" in html and "公益性岗位（至" in html and "已录用上岗" in html
    for code in ("service", "fixed_term", "hired", "None", "True"):
        assert not re.search(rf">[^<]*\b{code}\b[^<]*<", html), code


def test_the_counter_lists_due_follow_ups_and_records_one(api) -> None:
    company, application_id = _offered(api)
    with api.db() as s:
        application = s.get(Application, application_id)
        placements.schedule_interview(s, application=application, at=utcnow() - timedelta(days=60),
                                      place="小区物业办公室", user=company.user)
        placements.record_attendance(s, application=application, attended=True, note="", user=company.user)
        placements.move(s, application=application, status=ApplicationStatus.offered, reason=None, user=company.user)
        placements.hire(s, application=application, user=company.user, minimum_wage=2200, today=TODAY,
                        data=placements.Hire(started_on=TODAY - timedelta(days=40), monthly_wage=2800,
                                             contract_type=placements.ContractType.part_time))
        clerk = create_user(s, role=Role.counter_staff, window=4)
        cadre = create_user(s, role=Role.cadre)
        pair(s, cadre, s.get(Resident, application.resident_id).household)
        s.commit()
        follow_up_id = s.query(PlacementFollowUp.id).filter_by(placement_id=application.placement.id,
                                                               months_after=1).scalar()
    duty = api.client_for(cadre).get("/api/v1/ledger/duties").json()["follow_ups"]
    assert [(f["id"], f["months_after"], f["resident_name"]) for f in duty] == [(follow_up_id, 1, "吴淑珍")]
    client = api.client_for(clerk)
    html = client.get("/counter/follow-ups").text
    row = re.search(rf'<tr id="follow-up-{follow_up_id}">(.*?)</tr>', html, re.S)
    assert row and "吴淑珍" in row.group(1) and "小区绿化养护工" in row.group(1) and "上岗1个月" in row.group(1)
    assert 'href="/counter/follow-ups"' in html  # in the counter's navigation
    token = csrf(client, "/counter/follow-ups")
    r = client.post(f"/counter/follow-ups/{follow_up_id}", data={"csrf_token": token, "still_employed": "也许"})
    assert r.status_code == 422 and "请选择“仍在岗”或“已不在岗”" in r.text
    r = client.post(f"/counter/follow-ups/{follow_up_id}", data={"csrf_token": token, "still_employed": "true",
                                                                 "note": "本人来窗口说的"}, follow_redirects=False)
    assert r.status_code == 303
    assert f'id="follow-up-{follow_up_id}"' not in client.get("/counter/follow-ups").text
    with api.db() as s:
        answered = s.get(PlacementFollowUp, follow_up_id)
        assert (answered.still_employed, answered.answered_by_id, answered.note) == (True, clerk.id, "本人来窗口说的")
