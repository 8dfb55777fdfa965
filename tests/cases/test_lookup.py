"""Finding residents at the counter: tolerant names, hashed id numbers and phones, and scope."""

from __future__ import annotations

import pytest

from estation.accounts.models import Role
from estation.cases.lookup import _name_match, find_residents
from tests.factories import create_household, create_resident, create_user


@pytest.mark.parametrize(
    ("query", "name", "how"),
    [
        ("王秀英", "王秀英", "姓名"),
        ("秀英", "王秀英", "姓名"),
        ("王秀莹", "王秀英", "同音"),
        ("王秀音", "王秀英", "近音"),   # -ng / -n
        ("张志刚", "章子刚", "近音"),   # zh/z
        ("刘芳", "牛芳", "近音"),       # l/n
        ("wangxiuying", "王秀英", "拼音"),
        ("Wang Xiuying", "王秀英", "拼音"),
    ],
)
def test_tolerant_names(query: str, name: str, how: str) -> None:
    hit = _name_match(query, name)
    assert hit is not None and hit[1] == how


@pytest.mark.parametrize(("query", "name"), [("王秀英", "王秀梅"), ("王秀英", "李秀英"), ("王秀", "王晓"), ("wang", "王秀英")])
def test_different_names_do_not_match(query: str, name: str) -> None:
    assert _name_match(query, name) is None


def test_find_by_id_number_phone_and_name_within_scope(session) -> None:
    clerk = create_user(session, role=Role.counter_staff, window=1)
    resident = create_resident(session, name="赵桂兰", phone="13605311234")
    assert [m.resident.id for m in find_residents(session, user=clerk, query=resident.id_number)] == [resident.id]
    assert [m.how for m in find_residents(session, user=clerk, query="13605311234")] == ["手机号"]
    assert resident.id in [m.resident.id for m in find_residents(session, user=clerk, query="赵贵兰")]
    assert find_residents(session, user=clerk, query="  ") == []
    # community staff of another community do not find her
    other = create_household(session, community_code="370102009002")
    outsider = create_user(session, role=Role.community_staff, community_code=other.community_code)
    assert find_residents(session, user=outsider, query=resident.id_number) == []
    assert find_residents(session, user=outsider, query="13605311234") == []
    assert resident.id not in [m.resident.id for m in find_residents(session, user=outsider, query="赵桂兰")]
