"""Personal data at rest, on screen and in logs: encrypted columns, searchable keyed hashes, masking,
and a log filter that keeps id numbers and phones out of every server log line."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from datetime import date
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.types import TypeDecorator

from estation.config import get_settings


@lru_cache(maxsize=4)
def _fernet(data_key: str) -> Fernet:
    digest = hashlib.sha256(("estation-enc:" + data_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    """Fernet (AES-128-CBC + HMAC) with the configured data key: the one encryption of personal data."""
    return _fernet(get_settings().data_key).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(get_settings().data_key).decrypt(token.encode()).decode()


def lookup_hash(value: str) -> str:
    """Keyed hash used to find a record by id number or phone without storing it in clear."""
    key = ("estation-idx:" + get_settings().data_key).encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


class EncryptedString(TypeDecorator[str]):
    """A string stored encrypted with the configured data key. Nothing can filter, sort or group on it
    in SQL: a column that must be found by value keeps a ``lookup_hash`` beside it."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedText(EncryptedString):
    """Free text (health notes, ledger notes) of any length, encrypted the same way."""

    impl = Text
    cache_ok = True


class EncryptedInteger(TypeDecorator[int]):
    """A small number (a disability grade) encrypted the same way, stored as its decimal text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect) -> str | None:
        return None if value is None else encrypt(str(int(value)))

    def process_result_value(self, value: str | None, dialect) -> int | None:
        return None if value is None else int(decrypt(value))


class EncryptedDate(TypeDecorator[date]):
    """A date (a recognition date of hardship) encrypted the same way, stored as its ISO text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect) -> str | None:
        return None if value is None else encrypt(value.isoformat())

    def process_result_value(self, value: str | None, dialect) -> date | None:
        return None if value is None else date.fromisoformat(decrypt(value))


class EncryptedBytes(TypeDecorator[bytes]):
    """A file held for a while (an uploaded sheet waiting for the clerk's decision), encrypted the same way."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect) -> bytes | None:
        return None if value is None else _fernet(get_settings().data_key).encrypt(value)

    def process_result_value(self, value: bytes | None, dialect) -> bytes | None:
        return None if value is None else _fernet(get_settings().data_key).decrypt(value)


def mask_id_number(value: str | None) -> str:
    """First and last character only. The 16 hidden ones hold the region, the birth date and the
    sequence; a screen that also shows the age and sex still leaves thousands of candidates
    (tests/hardening/test_masking.py), where the old 6 + 4 with a birth date left exactly one."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 2) + value[-1]


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


# An id number or a mainland mobile number standing alone (not inside a longer run of digits), also
# right after a percent-escape in an address ("核对370102..." arrives as "%E5%AF%B9370102...").
_AFTER_ESCAPE = r"(?<=%[0-9A-Fa-f]{2})"
_ID_NUMBER = re.compile(rf"(?:{_AFTER_ESCAPE}|(?<![0-9A-Za-z]))\d{{17}}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(rf"(?:{_AFTER_ESCAPE}|(?<!\d))1[3-9]\d{{9}}(?!\d)")


def redact(text: str) -> str:
    """``text`` with every id number and mobile number masked."""
    return _PHONE.sub(lambda m: mask_phone(m.group()), _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text))


def _redact_arg(value: Any) -> Any:
    if isinstance(value, (int, float)):
        return value
    return redact(value if isinstance(value, str) else str(value))


class RedactPersonalData(logging.Filter):
    """Masks id numbers and phones in a record's message, arguments and traceback before any handler
    writes it: an address typed with an id in its query string, or an error quoting a value, stays out
    of the log. (Uvicorn's access formatter unpacks the arguments, so they stay a tuple.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def server_log_config() -> dict:
    """Uvicorn's logging configuration with ``RedactPersonalData`` on both of its handlers, and every
    other logger (estation's own, the libraries') routed through the same redacting handler."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict = {**LOGGING_CONFIG, "filters": {"personal_data": {"()": RedactPersonalData}}}
    config["handlers"] = {name: {**handler, "filters": ["personal_data"]}
                          for name, handler in LOGGING_CONFIG["handlers"].items()}
    config["loggers"] = {**LOGGING_CONFIG["loggers"], "estation": {"level": "INFO"}}
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
