"""我的消息 (/ledger/inbox): a cadre's own messages with the unread count in the ledger's menu, and the daily
summary of new matches linking each household's 为这户找工作; nobody else sees it. (What the summary says is
the matcher's: tests/matching/test_digest.py.)"""

from __future__ import annotations

import re
from datetime import date

import pytest

from estation.accounts.models import Role
from estation.notifications.models import Audience, JobDigest
from estation.notifications.service import notify
from tests.factories import create_household, create_resident, create_user
from tests.ledger.helpers import pair

TITLE = "您结对的1户家庭有2个新岗位可推荐"


@pytest.fixture(scope="module")
def inbox(api):
    with api.db() as s:
        cadre, other, admin = (create_user(s, role=r) for r in (Role.cadre, Role.cadre, Role.admin))
        household = create_household(s, hardship=True)
        create_resident(s, household=household, name="冯淑华")
        pair(s, cadre, household)
        note = notify(s, audience=Audience.user, user_id=cadre.id, kind="jobs.household_matches", title=TITLE,
                      body="冯**：小区保洁员（甸柳保洁，离家不到1公里）、社区保洁员（甸柳物业，离家约1.5公里）。",
                      link="/ledger/inbox")
        s.add(JobDigest(day=date.today(), user_id=cadre.id, since=note.created_at, vacancy_ids=[1, 2],
                        household_ids=[household.id], notification_id=note.id))
        s.commit()
        return api, {"cadre": cadre, "other": other, "admin": admin}, household.id


def _badge(html: str) -> str | None:
    found = re.search(r'id="nav-inbox">我的消息(?: <span class="count-badge"[^>]*>(\d+)</span>)?</a>', html)
    assert found, "no 我的消息 in the menu"
    return found.group(1)


def test_the_paired_cadre_sees_the_count_and_the_households_links(inbox) -> None:
    api, users, household_id = inbox
    client = api.client_for(users["cadre"])
    assert _badge(client.get("/ledger").text) == "1" and _badge(client.get("/ledger/hardship").text) == "1"
    page = client.get("/ledger/inbox")
    assert page.status_code == 200 and TITLE in page.text and "1条未读" in page.text
    link = re.search(rf'<a href="/ledger/households/{household_id}/work">([^<]+)</a>', page.text)
    assert link and link.group(1).startswith("冯淑华 · ") and link.group(1).endswith("为这户找工作")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    submission = re.search(r'name="submission_token" value="([^"]+)"', page.text).group(1)
    done = client.post("/ledger/inbox/read", data={"csrf_token": token, "submission_token": submission},
                       follow_redirects=False)
    assert done.status_code == 303
    after = client.get("/ledger/inbox").text
    assert _badge(after) is None and "未读" not in after and TITLE in after


def test_nobody_else_sees_it(inbox) -> None:
    api, users, _ = inbox
    for who in ("other", "admin"):
        client = api.client_for(users[who])
        page = client.get("/ledger/inbox").text
        assert TITLE not in page and _badge(page) is None, who
        assert TITLE not in client.get("/api/v1/notifications").text
