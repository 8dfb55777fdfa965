"""Chinese text processing shared by every backend: normalise, segment, expand, initials, highlight.

The engines never analyse Chinese themselves. Documents and queries are both turned into
whitespace-separated tokens here, and the engines only split on whitespace (SQLite FTS5's unicode61
tokenizer, Elasticsearch's ``whitespace`` analyzer). So the embedded index, an Elasticsearch node and
a node from another build all see the same tokens and agree on what matches.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

from indexing.lexicon import QUERY_STOPWORDS, dictionary_words, synonym_table

# NFKC would turn these into plain digits or letters and change what the text says: "5m²" is an area,
# "½天" is half a day, "①" numbers a list item. They are kept as they are.
_KEEP = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞①②③④⑤⑥⑦⑧⑨⑩")
_TOKEN = re.compile(r"^[\w\u4e00-\u9fff]+$")
_ASCII_WORD = re.compile(r"^[a-z]{2,12}$")
_lock = threading.Lock()


def _normalise_char(ch: str) -> str:
    if ch in _KEEP:
        return ch
    return unicodedata.normalize("NFKC", ch).lower()


def normalise(text: str) -> str:
    """NFKC (full-width to half-width, compatibility forms) except meaning-bearing forms, lower case."""
    return "".join(_normalise_char(ch) for ch in text)


_built: list[jieba.Tokenizer] = []


def _tokenizer() -> jieba.Tokenizer:
    """The one private Tokenizer of the process (the job dictionary never leaks into, or depends on,
    jieba's global one), built once: threads that ask while it is built wait for it, rather than each
    building its own (a second each; under a burst of first searches they queued for half a minute)."""
    if _built:
        return _built[0]
    with _lock:
        if not _built:
            tk = jieba.Tokenizer()
            tk.initialize()
            for word in dictionary_words():
                tk.add_word(word.lower(), freq=200000)
            _built.append(tk)
    return _built[0]


def prepare() -> None:
    """Build the tokenizer now (a server does it at start-up, before it takes traffic)."""
    _tokenizer()


def _clean(tokens: Iterable[str]) -> list[str]:
    return [t for t in (tok.strip() for tok in tokens) if t and _TOKEN.match(t)]


def segment_document(text: str) -> list[str]:
    """Tokens of a listing: jieba's search mode, which adds the words inside longer words
    (保洁员 -> 保洁, 保洁员), so a short query word finds a longer one in a listing."""
    return list(_segment_document(text))


@lru_cache(maxsize=20_000)
def _segment_document(text: str) -> tuple[str, ...]:
    # Kept per text: a rebuild segments the same employer names, addresses, occupation words and
    # labels (and reposted descriptions) over and over, and segmenting is most of a document's cost.
    return tuple(_clean(_tokenizer().cut_for_search(normalise(text), HMM=False)))


def segment_query(text: str) -> list[str]:
    """Tokens of a query: jieba's precise mode, stopwords dropped, each token once, in order."""
    seen: list[str] = []
    for tok in _clean(_tokenizer().cut(normalise(text), HMM=False)):
        if tok not in QUERY_STOPWORDS and tok not in seen:
            seen.append(tok)
    return seen


@lru_cache(maxsize=1)
def _job_words() -> frozenset[str]:
    return frozenset(w.lower() for w in dictionary_words())


def job_word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each job word of the dictionary in ``normalise(text)``, as precise mode cuts it:
    where a phrase read out of a query must not cut (在家 is no phrase in 在家政公司)."""
    words = _job_words()
    return [(start, end) for word, start, end in _tokenizer().tokenize(normalise(text), HMM=False) if word in words]


def document_text(*parts: str | None) -> str:
    """Segmented, whitespace-joined text of the given fields, ready for a whitespace analyzer."""
    return " ".join(tok for part in parts if part for tok in _segment_document(part))


@dataclass(frozen=True)
class TermGroup:
    """One query word and what it may also match: any alternative satisfies the group."""

    word: str
    alternatives: tuple[str, ...]
    initials_prefix: str | None = None
    """Set when the word could be pinyin initials (``bj``): also match titles whose initials start so."""


def expand_query(text: str) -> list[TermGroup]:
    """The query as AND-ed groups of OR-ed words, the same for every backend."""
    table = synonym_table()
    groups = []
    for tok in segment_query(text):
        alts = (tok, *table.get(tok, ()))
        groups.append(TermGroup(tok, alts, tok if _ASCII_WORD.match(tok) else None))
    return groups


def initials(word: str) -> str:
    """Pinyin initials of the Chinese characters of a word: 保洁员 -> bjy; other characters dropped."""
    letters = lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(x for x in letters if x.isascii() and x.isalpha()).lower()


@lru_cache(maxsize=20_000)
def initials_tokens(title: str) -> str:
    """Initials of the whole title and of each word in it, so ``bj`` finds 小区保洁员 as well as 保洁."""
    out: list[str] = []
    for w in [title, *_clean(_tokenizer().cut(normalise(title), HMM=False))]:
        code = initials(w)
        if len(code) >= 2 and code not in out:
            out.append(code)
    return " ".join(out)


def highlight(text: str, groups: list[TermGroup], *, mark: str = "mark") -> str:
    """The original text, HTML-escaped, with the query's words wrapped in ``<mark>``.

    Matching is on the normalised text with a char-for-char map back to the original, so the
    highlight shows exactly what the listing says, with no spaces inserted between characters.
    """
    if not text:
        return ""
    norm = [_normalise_char(ch) for ch in text]
    # Where normalisation changed a character's length, match on the original to keep positions.
    flat = "".join(n if len(n) == 1 else ch for n, ch in zip(norm, text))
    words = sorted({a for g in groups for a in g.alternatives if len(a) >= 1}, key=len, reverse=True)
    hit = [False] * len(text)
    for w in words:
        start = flat.find(w)
        while start != -1:
            for i in range(start, start + len(w)):
                hit[i] = True
            start = flat.find(w, start + len(w))
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and hit[j] == hit[i]:
            j += 1
        chunk = html.escape(text[i:j])
        out.append(f"<{mark}>{chunk}</{mark}>" if hit[i] else chunk)
        i = j
    return "".join(out)


def segment_prefix(text: str) -> tuple[list[str], str | None]:
    """A typeahead prefix as (complete words, the last word still being typed)."""
    toks = _clean(_tokenizer().cut(normalise(text), HMM=False))
    if not toks:
        return [], None
    return toks[:-1], toks[-1]


def is_initials(token: str) -> bool:
    return bool(_ASCII_WORD.match(token)) or (len(token) == 1 and token.isascii() and token.isalpha())
