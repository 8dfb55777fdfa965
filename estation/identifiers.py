"""Resident id numbers (GB 11643) and unified social credit codes (GB 32100), with their check digits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from estation import clock
from estation.geo import provinces

RESIDENCE_PERMIT_PREFIXES = frozenset({"81", "82", "83"})
"""Residence permits of Hong Kong, Macao and Taiwan residents use the same 18-character format."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "male" | "female"
    region_code: str

    @property
    def province(self) -> str:
        return self.number[:2]


def parse_resident_id(value: str) -> ResidentId:
    """Validate an 18-character id number and return what it encodes; ValueError with a Chinese reason."""
    raw = (value or "").strip().upper().replace(" ", "")
    if len(raw) != 18:
        raise ValueError("身份证号应为18位")
    if not raw[:17].isdigit() or not (raw[17].isdigit() or raw[17] == "X"):
        raise ValueError("身份证号只能包含数字，最后一位可以是X")
    # Not ric.validate(): its table of county codes rejects codes that existed when real people were
    # born; GB 11643 only fixes the province part, the date and the check digit.
    if raw[:2] not in provinces() and raw[:2] not in RESIDENCE_PERMIT_PREFIXES:
        raise ValueError("身份证号前两位不是有效的省级行政区代码")
    try:
        birth = ric.get_birth_date(raw)
    except stdnum_errors.ValidationError:
        raise ValueError("身份证号中的出生日期无效") from None
    if birth > clock.today():
        raise ValueError("身份证号中的出生日期在未来")
    if raw[17] != ric.calc_check_digit(raw):
        raise ValueError("身份证号校验位不正确")
    number = raw
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return ResidentId(number=number, birth_date=birth, sex=sex, region_code=number[:6])


def make_resident_id(region_code: str, birth: date, sequence: int, *, sex: str) -> str:
    """Build a valid id number (used by the demo data and tests; never for real people)."""
    seq = sequence % 1000
    if (seq % 2 == 1) != (sex == "male"):
        seq = (seq + 1) % 1000
    body = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def validate_uscc(value: str) -> str:
    raw = (value or "").strip().upper().replace(" ", "")
    if len(raw) != 18:
        raise ValueError("统一社会信用代码应为18位")
    try:
        return uscc.validate(raw)
    except stdnum_errors.InvalidChecksum:
        raise ValueError("统一社会信用代码校验位不正确") from None
    except stdnum_errors.ValidationError:
        raise ValueError("统一社会信用代码格式无效") from None


def make_uscc(body17: str) -> str:
    """Append the check character to a 17-character body (demo data and tests)."""
    return body17 + uscc.calc_check_digit(body17)
