"""The registry of counter case types and the one document list every surface shows.

The kiosk's 办事指南 (anonymous or signed in), its printed list, the counter's checklist and the case's
一次性告知单 all come from ``document_list(service, situation)``: what the resident must bring is told
once, the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from estation.cases.casetype import CaseType, Item, Situation, situation_of
from estation.cases.models import ServiceType
from estation.cases.types import BUILT_IN
from estation.errors import NotFound
from estation.labour.models import Resident


class Registry:
    """The case types by code, in the order they were added."""

    def __init__(self, types: tuple[CaseType, ...] = ()) -> None:
        self._types: dict[str, CaseType] = {}
        for t in types:
            self.add(t)

    def add(self, case_type: CaseType) -> None:
        if case_type.code in self._types:
            raise ValueError(f"case type {case_type.code} is registered twice")
        self._types[case_type.code] = case_type

    def remove(self, code: str) -> None:
        del self._types[code]

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __iter__(self) -> Iterator[CaseType]:
        return iter(tuple(self._types.values()))

    def get(self, code: str) -> CaseType:
        case_type = self._types.get(code)
        if case_type is None:
            raise NotFound("没有这项服务", field="service_code")
        return case_type


REGISTRY = Registry(BUILT_IN)


def situation(code: str, resident: Resident | None, *, today: date,
              answers: Mapping[str, Any] | None = None) -> Situation:
    """The resident's situation for one service. ``answers`` None: nobody has been asked yet (the kiosk),
    so only what the case type assumes is answered; otherwise the intake answers as given, read and
    checked (InvalidInput naming the field)."""
    case_type = REGISTRY.get(code)
    read = case_type.assumed_answers() if answers is None else case_type.read_answers(answers)
    return situation_of(resident, today=today, answers=read)


def document_list(service: ServiceType, situation: Situation) -> list[Item]:
    """Everything to bring for ``service`` in ``situation``: the catalogue's documents, then the case type's
    conditional ones that hold, and those the situation does not settle with their condition."""
    items = [Item(name) for name in service.documents]
    for name, condition in REGISTRY.get(service.code).conditional_documents:
        holds = condition.holds(situation)
        if holds is None:
            items.append(Item(name, condition.text))
        elif holds:
            items.append(Item(name))
    seen: set[str] = set()
    return [i for i in items if not (i.name in seen or seen.add(i.name))]
