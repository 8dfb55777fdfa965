"""Residents signing in at the kiosk: by ID card on the reader or by ID number and the counter-set PIN.

Every attempt is recorded (``SignInAttempt``) under the keyed hash of the id number, never the number in
clear; after three failures each further try waits (``check_throttle``). A resident's first kiosk
sign-in creates their ``User`` row (role resident) so the server-side session has someone to belong to.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estation.accounts.models import AuthSession, Role, User
from estation.accounts.passwords import hash_password, verify_password
from estation.accounts.service import check_throttle, record_attempt, start_session
from estation.errors import InvalidInput
from estation.identifiers import parse_resident_id
from estation.labour.models import Resident
from estation.labour.repository import resident_by_id_number
from estation.privacy import lookup_hash

UNUSABLE_PASSWORD = "!kiosk-only"
"""Resident users never sign in with a password; verify_password refuses this non-hash."""
PIN_DIGITS = (6, 6)


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


def sign_in_with_pin(session: Session, *, id_number: str, pin: str) -> tuple[str, AuthSession, User]:
    """A kiosk session for the resident, or ``KioskSignInFailed`` after recording the failure.

    The caller must commit even on failure: a failure that is rolled back would not slow anyone down.
    """
    number = _normalised_id(id_number)
    login = lookup_hash(number)
    check_throttle(session, login=login)
    resident = resident_by_id_number(session, number)
    ok = resident is not None and verify_password(resident.pin_hash, pin.strip())
    if not ok:
        record_attempt(session, login=login, method="kiosk_pin", user=None, success=False)
        raise KioskSignInFailed("身份证号或密码不正确", field="pin")
    return _finish(session, resident=resident, login=login, method="kiosk_pin")


def sign_in_with_card(session: Session, *, id_number: str) -> tuple[str, AuthSession, User]:
    """A kiosk session for the holder of the card the reader just read (no PIN: the card is the factor)."""
    number = _normalised_id(id_number)
    login = lookup_hash(number)
    check_throttle(session, login=login)
    resident = resident_by_id_number(session, number)
    if resident is None:
        record_attempt(session, login=login, method="kiosk_card", user=None, success=False)
        raise KioskSignInFailed("没有找到您的居民信息，请到服务窗口登记", field="id_number")
    return _finish(session, resident=resident, login=login, method="kiosk_card")


def set_pin(session: Session, *, resident: Resident, pin: str) -> None:
    """Set at the counter after checking the resident's card; six digits, stored as an argon2 hash."""
    pin = pin.strip()
    if not pin.isdigit() or not PIN_DIGITS[0] <= len(pin) <= PIN_DIGITS[1]:
        raise InvalidInput("密码应为6位数字", field="pin")
    resident.pin_hash = hash_password(pin)
    session.flush()
