"""Password and kiosk PIN hashing: one place, argon2id via argon2-cffi, so every login verifies the same way.
Also what a new password (check_password_strength) and a new kiosk PIN (check_pin) must be."""

from __future__ import annotations

import secrets
from datetime import date
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from estation.errors import InvalidInput

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = resources.files("estation.accounts").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def check_password_strength(password: str, *, username: str = "", field: str = "password") -> None:
    """Refuse (InvalidInput naming ``field``) a password under 10 characters, a common one, one made of a
    single repeated character, or one containing the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少要{MIN_PASSWORD_LENGTH}位", field=field)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) == 1:
        raise InvalidInput("这个密码太常见，很容易被猜到，请换一个", field=field)
    if len(username) >= 3 and username.lower() in lowered:
        raise InvalidInput("密码不能包含用户名", field=field)


PIN_LENGTH = 6
TRIVIAL_PIN = "这个密码太简单（相同、连续或重复的数字），容易被猜到，请换一个"


def _runs(step: int) -> set[str]:
    return {"".join(str((start + step * i) % 10) for i in range(PIN_LENGTH)) for start in range(10)}


_SIMPLE_PINS = _runs(0) | _runs(1) | _runs(-1)


def check_pin(pin: str, *, birth_date: date | None = None, id_number: str | None = None, field: str = "pin") -> str:
    """The PIN as stored (6 digits), or InvalidInput naming ``field``: refused when all one digit, a run
    (123456, 654321, 890123), a repeated pair or triple (121212, 123123), built on the birth date
    (YYMMDD, DDMMYY, MMDDYY, YYYYMM, or containing MMDD) or the id number's last six digits."""
    pin = pin.strip()
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise InvalidInput("密码应为6位数字", field=field)
    if pin in _SIMPLE_PINS or pin == pin[:2] * 3 or pin == pin[:3] * 2:
        raise InvalidInput(TRIVIAL_PIN, field=field)
    if birth_date is not None:
        d = birth_date
        dated = {f"{d:%y%m%d}", f"{d:%d%m%y}", f"{d:%m%d%y}", f"{d:%Y%m}"}
        if pin in dated or f"{d:%m%d}" in pin:
            raise InvalidInput("不能用出生日期作密码，请换一个", field=field)
    if id_number and pin == id_number[-PIN_LENGTH:]:
        raise InvalidInput("不能用身份证号后六位作密码，请换一个", field=field)
    return pin


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh random salt (PHC string, ~100 chars)."""
    if not password:
        raise ValueError("密码不能为空")
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password or a missing/garbled hash.

    Always costs one argon2 verification: without a usable hash it checks a dummy one, so an unknown
    username or a resident without a PIN answers no faster than a wrong password (nothing to enumerate).
    """
    usable = password_hash if password_hash is not None and password_hash.startswith("$argon2") else None
    try:
        return _hasher.verify(usable or _dummy_hash(), password) and usable is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's; rehash after a good login."""
    return _hasher.check_needs_rehash(password_hash)
