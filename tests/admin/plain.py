"""What an admin page must never show: raw codes, ids, English words or None (issue 16)."""

from __future__ import annotations

import re

from estation.accounts.models import Role

RAW = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\b\d{12}\b|\{\{|\}\}")
CODES = {r.value for r in Role} | {"pending", "approved", "refused", "open", "answered", "suggestion", "complaint"}


def assert_plain(text: str, *, allowed: tuple[str, ...] = ()) -> None:
    """The visible text of a page: no None/True/False, no 12-digit community code, no enum value, and no
    Latin word other than those ``allowed`` (usernames, codes the clerk types)."""
    for word in allowed:
        text = text.replace(word, "")
    assert not RAW.search(text), RAW.search(text)
    words = set(re.findall(r"[A-Za-z_]{2,}", text))
    assert not words & CODES, words & CODES
    assert not words, f"English on the page: {sorted(words)}"
