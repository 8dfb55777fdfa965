"""Password and kiosk PIN hashing: one place, argon2id via argon2-cffi, so every login verifies the same way."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh random salt (PHC string, ~100 chars)."""
    if not password:
        raise ValueError("密码不能为空")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password or a missing/garbled hash."""
    if not password_hash or not password:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's; rehash after a good login."""
    return _hasher.check_needs_rehash(password_hash)
