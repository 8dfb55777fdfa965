from datetime import date

import pytest

from estation.identifiers import make_resident_id, make_uscc, parse_resident_id, validate_uscc


def test_valid_id_number_gives_birth_date_and_sex() -> None:
    number = make_resident_id("370102", date(1968, 2, 29), 123, sex="male")
    rid = parse_resident_id(number.lower())
    assert rid.birth_date == date(1968, 2, 29)
    assert rid.sex == "male"
    assert rid.province == "37"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("37010219800101001", "18位"),
        ("3701021980010100AX", "只能包含数字"),
        ("370102198013010018", "出生日期"),
        ("370102209901010015", "未来"),
        ("990102198001010012", "省级行政区"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_resident_id(value)


def test_wrong_check_digit_is_refused() -> None:
    number = make_resident_id("370102", date(1980, 1, 1), 1, sex="male")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValueError, match="校验位"):
        parse_resident_id(wrong)


def test_sex_follows_the_seventeenth_digit() -> None:
    assert parse_resident_id(make_resident_id("370102", date(1990, 5, 5), 10, sex="female")).sex == "female"
    assert parse_resident_id(make_resident_id("370102", date(1990, 5, 5), 10, sex="male")).sex == "male"


def test_uscc_check_character() -> None:
    code = make_uscc("91370102MA3C8Q3P3")
    assert validate_uscc(code.lower()) == code
    wrong = code[:17] + ("A" if code[17] != "A" else "B")
    with pytest.raises(ValueError, match="校验位"):
        validate_uscc(wrong)
    with pytest.raises(ValueError, match="18位"):
        validate_uscc("91370102MA3C8Q3")
