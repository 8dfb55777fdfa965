"""Personal data at rest and on screen: encrypted columns, searchable keyed hashes, masking."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from estation.config import get_settings


@lru_cache(maxsize=4)
def _fernet(data_key: str) -> Fernet:
    digest = hashlib.sha256(("estation-enc:" + data_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def lookup_hash(value: str) -> str:
    """Keyed hash used to find a record by id number or phone without storing it in clear."""
    key = ("estation-idx:" + get_settings().data_key).encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


class EncryptedString(TypeDecorator[str]):
    """A string stored encrypted with the configured data key (Fernet: AES-128-CBC + HMAC)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:  # noqa: ANN001
        if value is None:
            return None
        return _fernet(get_settings().data_key).encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect) -> str | None:  # noqa: ANN001
        if value is None:
            return None
        return _fernet(get_settings().data_key).decrypt(value.encode()).decode()


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:6] + "*" * 8 + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
