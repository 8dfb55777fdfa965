"""Pydantic pieces shared by every domain's schemas."""

from __future__ import annotations

from functools import cache
from typing import Annotated, ClassVar, Generic, TypeVar

import sqlalchemy
from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, create_model, field_validator
from pydantic_core import PydanticCustomError

from estation import physical
from estation.geo import provinces

T = TypeVar("T")

MAX_ID = 2**63 - 1
"""The largest id a database row can have (a signed 64-bit integer, on SQLite and PostgreSQL)."""
RowId = Annotated[int, Field(ge=-MAX_ID - 1, le=MAX_ID)]
"""A row id in a JSON body: any number the database can hold (an importer fills in 0 until the row's
household is known; an id of no row is that domain's 404 or 422)."""
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a URL: anything else is a 422 naming it, never a query with a number the database refuses."""


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


NOT_CLEARABLE = "该项必须填写，不能清空"


class PatchModel(ORMModel):
    """A PATCH body: a field left out stays as it is, an explicit null clears it. A field kept in a NOT NULL
    column of ``table`` cannot be cleared, so its null is a 422 naming it (never a database error)."""

    table: ClassVar[type]
    """The mapped class the fields are written to (by name)."""
    null_fills_in: ClassVar[frozenset[str]] = frozenset()
    """NOT NULL fields whose null asks the service to work the value out (e.g. coordinates from the community)."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_clearable(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name in _not_null_fields(cls):
            raise PydanticCustomError("not_null", NOT_CLEARABLE)
        return value


@cache
def _not_null_fields(model: type[PatchModel]) -> frozenset[str]:
    columns = sqlalchemy.inspect(model.table).columns
    return frozenset(name for name in model.model_fields
                     if name in columns and not columns[name].nullable) - model.null_fills_in


def _province(value: str) -> str:
    if value not in provinces():
        raise ValueError("未知的省级行政区代码")
    return value


def _demands(value: dict[str, int]) -> dict[str, int]:
    return physical.normalise_levels(value, default=0)


def _limits(value: dict[str, int]) -> dict[str, int]:
    return physical.normalise_levels(value, default=physical.MAX_LEVEL)


ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$", examples=["37"]), AfterValidator(_province)]
Demands = Annotated[dict[str, int], AfterValidator(_demands)]
"""A start-up opportunity's physical demand, level 0-4 per functional domain (estation.physical); a missing
domain is 0. Vacancies use :class:`StatedDemands`: their employer states every domain."""
StatedDemands = create_model(
    "StatedDemands",
    __config__=ConfigDict(extra="forbid"),
    __doc__="A vacancy's physical demand in every functional domain, each stated by the employer (no default: "
            "an unstated demand would be read as the lowest and the job wrongly called suitable).",
    **{d.key: (Annotated[int, Field(ge=0, le=physical.MAX_LEVEL, strict=True)],
               Field(description=f"{d.label}: " + "; ".join(f"{i} {text}" for i, text in enumerate(d.levels))))
       for d in physical.DECLARED},
)
Limits = Annotated[dict[str, int], AfterValidator(_limits), Field(description="每项能做到的最高等级（0-4），没填的项不受限制。"
                                                                  + "".join(f"\n- {d.key} {physical.scale(d.key)}"
                                                                            for d in physical.DECLARED))]
"""The highest level a resident manages per functional domain; a missing domain is unrestricted (4)."""
PhoneNumber = Annotated[str, Field(pattern=r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$", examples=["13805310000"])]


def _month(value: str) -> str:
    year = int(value[:4])
    if not 1950 <= year <= 2100:
        raise ValueError("年份超出范围")
    return value


Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2015-07"]), AfterValidator(_month)]
"""A calendar month as ``YYYY-MM``."""


def month_to_date(value: str):
    from datetime import date

    return date(int(value[:4]), int(value[5:7]), 1)
