"""Signing in at the kiosk: PIN, card reader, throttling, the log, finishing and the server's idle expiry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from estation.accounts.idcard import IdCard, SimulatedReader
from estation.accounts.kiosk import set_pin
from estation.accounts.models import AuthSession, Role, SignInAttempt, User
from estation.db import utcnow
from estation.privacy import lookup_hash
from tests.factories import create_resident
from tests.kiosk.conftest import PIN, csrf_of, sign_in

TERMINAL = "hall-1"


def _post_pin(client, id_number: str, pin: str):
    page = client.get("/kiosk/signin/pin")
    return client.post("/kiosk/signin/pin", data={"csrf_token": csrf_of(page.text), "id_number": id_number, "pin": pin})


def test_pin_sign_in_starts_a_kiosk_session_for_the_residents_own_user(world) -> None:
    client = world.client()
    response = _post_pin(client, world.pin_id_number, PIN)
    assert response.status_code == 303
    assert response.headers["location"] == "/kiosk/home"
    assert "estation_session" in response.cookies
    with world.harness.db() as s:
        user = s.scalar(select(User).where(User.resident_id == world.pin_resident_id))
        assert user.role == Role.resident
        auth = s.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).all()
        assert auth and all(a.kiosk for a in auth)
        attempt = s.scalars(select(SignInAttempt).where(SignInAttempt.user_id == user.id)).all()[-1]
        assert attempt.success and attempt.method == "kiosk_pin"
        assert attempt.login == lookup_hash(world.pin_id_number)
        # The id number itself is in no sign-in row.
        assert not s.scalars(select(SignInAttempt).where(SignInAttempt.login == world.pin_id_number)).all()
    home = client.get("/kiosk/home")
    assert "王**，您好" in home.text


def test_three_wrong_pins_slow_the_next_try_down_even_with_the_right_pin(world) -> None:
    with world.harness.db() as s:
        resident = create_resident(s, name="钱多多")
        set_pin(s, resident=resident, pin="135790")
        id_number = resident.id_number
        s.commit()
    client = world.client()
    for _ in range(3):
        response = _post_pin(client, id_number, "000000")
        assert response.status_code == 401
        assert "身份证号或密码不正确" in response.text
        assert id_number not in response.text  # never echoed back for the next person to read
    blocked = _post_pin(client, id_number, "135790")
    assert blocked.status_code == 429
    assert "次数过多" in blocked.text and "秒后再试" in blocked.text
    with world.harness.db() as s:
        rows = s.scalars(select(SignInAttempt).where(SignInAttempt.login == lookup_hash(id_number))).all()
        assert [r.success for r in rows] == [False, False, False]


def test_a_malformed_id_number_is_told_at_once_and_not_counted(world) -> None:
    client = world.client()
    response = _post_pin(client, "12345", "111111")
    assert response.status_code == 422
    assert "身份证号应为18位" in response.text
    with world.harness.db() as s:
        assert not s.scalars(select(SignInAttempt).where(SignInAttempt.login == lookup_hash("12345"))).all()


def test_a_resident_without_a_pin_cannot_sign_in_by_pin(world) -> None:
    response = _post_pin(world.client(), world.nopin_id_number, "123456")
    assert response.status_code == 401


def test_card_on_the_reader_signs_the_holder_in_once(world) -> None:
    client = world.client()
    page = client.get("/kiosk/signin/card")
    reader = world.app.state.parts.card_reader
    assert isinstance(reader, SimulatedReader)
    reader.place(TERMINAL, IdCard(id_number=world.card_id_number))
    response = client.post("/kiosk/signin/card", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 303
    assert client.get("/kiosk/me/applications").status_code == 200
    with world.harness.db() as s:
        user = s.scalar(select(User).where(User.resident_id == world.card_resident_id))
        assert user is not None and user.role == Role.resident
        attempt = s.scalars(select(SignInAttempt).where(SignInAttempt.user_id == user.id)).all()[-1]
        assert attempt.method == "kiosk_card" and attempt.success
    # The placement was read once: the next person tapping 我已放好 is not signed in as this one.
    other = world.client()
    again = other.post("/kiosk/signin/card", data={"csrf_token": csrf_of(other.get("/kiosk/signin/card").text)})
    assert again.status_code == 422
    assert "没有读到身份证" in again.text


def test_an_unknown_card_is_refused_and_logged(world) -> None:
    from estation.identifiers import make_resident_id
    from datetime import date

    stranger = make_resident_id("370102", date(1960, 1, 1), 777, sex="male")
    client = world.client()
    page = client.get("/kiosk/signin/card")
    world.app.state.parts.card_reader.place(TERMINAL, IdCard(id_number=stranger))
    response = client.post("/kiosk/signin/card", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 401
    assert "没有找到您的居民信息" in response.text
    with world.harness.db() as s:
        row = s.scalar(select(SignInAttempt).where(SignInAttempt.login == lookup_hash(stranger)))
        assert row is not None and not row.success and row.method == "kiosk_card"


def test_finish_ends_the_server_session_and_clears_the_browser(world) -> None:
    client = world.client()
    sign_in(client, world.pin_id_number)
    token = client.cookies.get("estation_session")
    home = client.get("/kiosk/home")
    response = client.post("/kiosk/finish", data={"csrf_token": csrf_of(home.text)})
    assert response.status_code == 303 and response.headers["location"] == "/kiosk"
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    set_cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("estation_session=") and "Max-Age=0" in c for c in set_cookies)
    from estation.accounts.service import _token_hash

    with world.harness.db() as s:
        assert s.get(AuthSession, _token_hash(token)) is None
    # Even a copy of the old cookie opens nothing.
    replay = world.client()
    replay.cookies.set("estation_session", token)
    assert replay.get("/kiosk/me/insurance").status_code == 303


def test_the_server_expires_an_idle_kiosk_session(world) -> None:
    client = world.client()
    sign_in(client, world.pin_id_number)
    from estation.accounts.service import _token_hash

    token = client.cookies.get("estation_session")
    with world.harness.db() as s:
        row = s.get(AuthSession, _token_hash(token))
        row.last_seen_at = utcnow() - timedelta(seconds=world.harness.settings.kiosk_idle_seconds + 5)
        s.commit()
    response = client.get("/kiosk/me/insurance")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/kiosk/signin?next=/kiosk/me/insurance")
    with world.harness.db() as s:
        assert s.get(AuthSession, _token_hash(token)) is None


def test_two_terminals_signing_the_same_resident_in_at_once_both_get_in(world) -> None:
    import threading

    with world.harness.db() as s:
        resident = create_resident(s, name="孙立新")
        set_pin(s, resident=resident, pin="112233")
        id_number = resident.id_number
        s.commit()
    clients = [world.client() for _ in range(4)]
    forms = [csrf_of(c.get("/kiosk/signin/pin").text) for c in clients]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def go(client, token: str) -> None:
        barrier.wait()
        r = client.post("/kiosk/signin/pin", data={"csrf_token": token, "id_number": id_number, "pin": "112233"})
        codes.append(r.status_code)

    threads = [threading.Thread(target=go, args=(c, t)) for c, t in zip(clients, forms)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Never a 500. Attempts are counted before the PIN is checked, so a fourth one arriving while three are
    # still being checked waits (429) like any guess would: the throttle cannot know yet that they are right.
    assert codes and all(code in (303, 401, 429) for code in codes), codes
    assert codes.count(303) >= 1
    with world.harness.db() as s:
        assert len(s.scalars(select(User).where(User.resident_id == resident.id)).all()) == 1
