"""Residents signing in at the kiosk: by ID card on the reader or by ID number and the counter-set PIN.

Every PIN attempt is counted before the PIN is checked (``estation.accounts.throttle``) and recorded
(``SignInAttempt``) under the keyed hash of the id number, never the number in clear; after three failures
each further try waits. A resident's first kiosk sign-in creates their ``User`` row (role resident) so the
server-side session has someone to belong to. Counter staff set or reset the PIN after checking the id
card; the resident changes it at the kiosk; either way ``check_pin`` refuses a trivial one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estation.accounts import throttle
from estation.accounts.models import AuthSession, Role, User
from estation.accounts.passwords import check_pin, hash_password, verify_password
from estation.accounts.service import log_access, record_attempt, start_session
from estation.errors import InvalidInput
from estation.identifiers import parse_resident_id
from estation.labour.models import Resident
from estation.labour.repository import resident_by_id_number
from estation.privacy import lookup_hash

UNUSABLE_PASSWORD = "!kiosk-only"
"""Resident users never sign in with a password; verify_password refuses this non-hash."""
PIN_RECORD = "自助终端密码"


class KioskSignInFailed(InvalidInput):
    status_code = 401


def _normalised_id(id_number: str) -> str:
    try:
        return parse_resident_id(id_number).number
    except ValueError as exc:
        # A malformed number cannot belong to anyone: told at once, not counted as a guess.
        raise InvalidInput(str(exc), field="id_number") from None


def resident_user(session: Session, *, resident: Resident) -> User:
    """The resident's own user, created on the first kiosk sign-in."""
    stmt = select(User).where(User.resident_id == resident.id, User.role == Role.resident)
    user = session.scalar(stmt)
    if user is not None:
        return user
    user = User(username=f"resident-{resident.id}", display_name=resident.name, password_hash=UNUSABLE_PASSWORD,
                role=Role.resident, resident_id=resident.id, community_code=None)
    try:
        # Two terminals may sign the same resident in for the first time at once: one insert wins.
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        user = session.scalar(stmt)
        if user is None:
            raise KioskSignInFailed("登录的人较多，请再点一次登录", field="id_number") from None
    return user


def _finish(session: Session, *, resident: Resident, login: str, method: str) -> tuple[str, AuthSession, User]:
    user = resident_user(session, resident=resident)
    if not user.active:
        record_attempt(session, login=login, method=method, user=None, success=False)
        raise KioskSignInFailed("该账户已停用，请到服务窗口咨询", field="id_number")
    record_attempt(session, login=login, method=method, user=user, success=True)
    token, auth = start_session(session, user=user, kiosk=True)
    return token, auth, user


def sign_in_with_pin(session: Session, *, id_number: str, pin: str, address: str) -> tuple[str, AuthSession, User]:
    """A kiosk session for the resident, or ``KioskSignInFailed`` after recording the failure.

    ``TooManyAttempts`` when the account or the kiosk's ``address`` must wait. The caller must commit even
    on failure: the failure's record is how the terminal's log answers who tried.
    """
    number = _normalised_id(id_number)
    login = lookup_hash(number)
    attempt = throttle.reserve(session, login=login, address=address)
    resident = resident_by_id_number(session, number)
    ok = verify_password(resident.pin_hash if resident else None, pin.strip()) and resident is not None
    if not ok:
        record_attempt(session, login=login, method="kiosk_pin", user=None, success=False)
        raise KioskSignInFailed("身份证号或密码不正确", field="pin")
    throttle.settle(session, attempt=attempt, success=True)
    return _finish(session, resident=resident, login=login, method="kiosk_pin")


def sign_in_with_card(session: Session, *, id_number: str) -> tuple[str, AuthSession, User]:
    """A kiosk session for the holder of the card the reader just read (no PIN: the card is the factor,
    so nothing is guessed and a PIN lock does not keep the card's owner out)."""
    number = _normalised_id(id_number)
    login = lookup_hash(number)
    resident = resident_by_id_number(session, number)
    if resident is None:
        record_attempt(session, login=login, method="kiosk_card", user=None, success=False)
        raise KioskSignInFailed("没有找到您的居民信息，请到服务窗口登记", field="id_number")
    return _finish(session, resident=resident, login=login, method="kiosk_card")


def set_pin(session: Session, *, resident: Resident, pin: str) -> None:
    """Six digits that ``check_pin`` accepts for this resident, stored as an argon2 hash."""
    pin = check_pin(pin, birth_date=resident.birth_date, id_number=resident.id_number)
    resident.pin_hash = hash_password(pin)
    session.flush()


def set_pin_at_counter(session: Session, *, resident: Resident, pin: str, id_card_checked: bool, staff: User) -> None:
    """Counter staff set or reset a resident's PIN, having seen the resident's id card; the log says who.

    A resident locked out by wrong PINs may sign in again at once with the new one.
    """
    if not id_card_checked:
        raise InvalidInput("请先核验居民本人的身份证原件，再勾选“已核验”", field="id_card_checked")
    had_pin = resident.pin_hash is not None
    set_pin(session, resident=resident, pin=pin)
    throttle.forget(session, login=lookup_hash(resident.id_number))
    log_access(session, user=staff, resident_id=resident.id, action="update", what=PIN_RECORD,
               reason="核验身份证后重置" if had_pin else "核验身份证后设置")


def reserve_pin_change(session: Session, *, resident: Resident, new_pin: str, new_pin_again: str,
                       address: str) -> throttle.Attempt:
    """Step one of the signed-in resident changing their PIN at the kiosk: the new one, twice and not
    trivial; then the attempt is counted like a sign-in attempt (so a screen left signed in cannot be
    used to guess the old one), committed on its own before the request writes anything."""
    if new_pin.strip() != new_pin_again.strip():
        raise InvalidInput("两次输入的新密码不一致", field="new_pin_again")
    check_pin(new_pin, birth_date=resident.birth_date, id_number=resident.id_number, field="new_pin")
    return throttle.reserve(session, login=lookup_hash(resident.id_number), address=address)


def change_own_pin(session: Session, *, user: User, resident: Resident, attempt: throttle.Attempt, old_pin: str,
                   new_pin: str) -> None:
    """Step two: the old PIN checked, the new one set."""
    if not verify_password(resident.pin_hash, old_pin.strip()):
        record_attempt(session, login=attempt.login, method="kiosk_pin_change", user=None, success=False)
        raise InvalidInput("原密码不正确", field="old_pin")
    throttle.settle(session, attempt=attempt, success=True)
    record_attempt(session, login=attempt.login, method="kiosk_pin_change", user=user, success=True)
    set_pin(session, resident=resident, pin=new_pin)
    log_access(session, user=user, resident_id=resident.id, action="update", what=PIN_RECORD, reason="本人在自助终端修改")


def pin_change_repeated(session: Session, *, attempt: throttle.Attempt) -> None:
    """A second copy of a PIN change that went through (a double tap): its count is taken back; the old
    PIN it carries is no longer right and is not checked."""
    throttle.settle(session, attempt=attempt, success=True)
