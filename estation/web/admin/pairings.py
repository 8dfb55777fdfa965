"""Pairings: which cadre helps which household (包户干部结对), and which leader holds which community
(联居领导). The rules are the ledger's (estation.ledger.service); every change goes into the access log."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts import staff
from estation.accounts.models import Role
from estation.deps import DB
from estation.errors import EstationError, InvalidInput
from estation.labour.service import communities
from estation.ledger import service
from estation.ledger.schemas import AssignmentCreate, PairingCreate
from estation.schemas import PathId
from estation.web.admin.common import Admin, Field, admin_router, done, errors_of, page
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

LABELS = {"cadre_id": "包户干部", "start_date": "开始日期", "on": "接替日期", "reason": "更换原因",
          "leader_id": "联居领导", "community_code": "社区", "form": ""}


def _person(value: str, field: str, role: Role) -> int:
    if not value.strip().isdigit():
        raise InvalidInput(f"请选择{role.label}", field=field)
    return int(value)


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("请填写日期，如 2026-03-01", field=field) from None


def _community(db: Session, value: str) -> str:
    if value not in communities(db):
        raise InvalidInput("请选择社区", field="community_code")
    return value


@router.get("/pairings")
def pairings_page(request: Request, db: DB, admin: Admin, community: str = "", show: str = "") -> Response:
    return _board_page(request, db, admin, community=community, show_all=show == "all")


def _board_page(request: Request, db: Session, admin: Admin, *, community: str, show_all: bool,
                form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> Response:
    places = communities(db)
    chosen = community if community in places else next(iter(places), "")
    today = clock.today()
    board = service.pairing_board(db, user=admin.user, today=today, community_code=chosen,
                                  hardship_only=not show_all) if chosen else []
    leaders = service.leader_board(db, today=today)
    people: set[int | None] = {p.cadre_id for _, ps in board for p in ps}
    names = service.display_names(db, people | {a.leader_id for _, a in leaders if a is not None})
    return page(request, "admin/pairings.html", {
        "communities": places, "community": chosen, "show_all": show_all, "board": board, "leaders": leaders,
        "names": names, "leader_choices": staff.active_with_role(db, Role.leader), "today": today,
        "form": form or {"start_date": today.isoformat()}, "errors": errors or {}, "labels": LABELS,
    }, status_code=status_code)


def _household_page(request: Request, db: Session, admin: Admin, household_id: int, *,
                    form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                    status_code: int = 200) -> Response:
    household = service.visible_household(db, admin.user, household_id)
    history = service.household_pairings(db, user=admin.user, household_id=household_id)
    today = clock.today()
    context: dict[str, Any] = {
        "household": household, "history": history, "today": today,
        "current": [p for p in history if p.start_date <= today and (p.end_date is None or p.end_date >= today)],
        "names": service.display_names(db, {p.cadre_id for p in history}),
        "cadres": staff.active_with_role(db, Role.cadre), "communities": communities(db),
        "form": form or {"start_date": today.isoformat(), "on": today.isoformat()}, "errors": errors or {},
        "labels": LABELS,
    }
    return page(request, "admin/pairing_household.html", context, status_code=status_code)


@router.get("/pairings/households/{household_id}")
def household_page(request: Request, db: DB, admin: Admin, household_id: PathId) -> Response:
    return _household_page(request, db, admin, household_id)


@router.post("/pairings/households/{household_id}", dependencies=[CsrfChecked, SubmittedOnce])
def pair(request: Request, db: DB, admin: Admin, household_id: PathId, cadre_id: Field = "",
         start_date: Field = "") -> Response:
    household = service.visible_household(db, admin.user, household_id)
    try:
        data = PairingCreate(cadre_id=_person(cadre_id, "cadre_id", Role.cadre), household_id=household.id,
                             start_date=_day(start_date, "start_date"))
        with db.begin_nested():
            pairing = service.pair(db, data=data, by=admin.user)  # logged there, as from the API
            cadre = service.display_names(db, {pairing.cadre_id})[pairing.cadre_id]
    except EstationError as exc:
        return _household_page(request, db, admin, household_id, form={"cadre_id": cadre_id, "start_date": start_date},
                               errors=errors_of(exc), status_code=exc.status_code)
    return done(f"/admin/pairings/households/{household_id}", f"已安排{cadre}自{pairing.start_date:%Y-%m-%d}起包户")


@router.post("/pairings/{pairing_id}/reassign", dependencies=[CsrfChecked, SubmittedOnce])
def reassign(request: Request, db: DB, admin: Admin, pairing_id: PathId, cadre_id: Field = "", on: Field = "",
             reason: Field = "") -> Response:
    pairing = service.get_pairing(db, pairing_id)
    household = service.visible_household(db, admin.user, pairing.household_id)
    household_id = household.id
    try:
        new_cadre = _person(cadre_id, "cadre_id", Role.cadre)
        day = _day(on, "on")
        if len(reason.strip()) < 2:
            raise InvalidInput("请写明更换原因（至少2个字）", field="reason")
        with db.begin_nested():
            names = service.display_names(db, {pairing.cadre_id, new_cadre})
            new = service.reassign(db, pairing=pairing, cadre_id=new_cadre, on=day, reason=reason.strip()[:200],
                                   by=admin.user)
    except EstationError as exc:
        db.refresh(pairing)
        return _household_page(request, db, admin, household_id,
                               form={"cadre_id": cadre_id, "on": on, "reason": reason, "pairing_id": str(pairing_id)},
                               errors=errors_of(exc), status_code=exc.status_code)
    return done(f"/admin/pairings/households/{household_id}",
                f"已由{names.get(new.cadre_id, '')}自{new.start_date:%Y-%m-%d}起接替")


@router.post("/pairings/leaders", dependencies=[CsrfChecked, SubmittedOnce])
def assign_leader(request: Request, db: DB, admin: Admin, leader_id: Field = "", community_code: Field = "",
                  start_date: Field = "") -> Response:
    try:
        data = AssignmentCreate(leader_id=_person(leader_id, "leader_id", Role.leader),
                                community_code=_community(db, community_code),
                                start_date=_day(start_date, "start_date"))
        with db.begin_nested():
            assignment = service.assign_leader(db, data=data, by=admin.user)
            leader = service.display_names(db, {assignment.leader_id})[assignment.leader_id]
            place = communities(db)[assignment.community_code].short_name
    except EstationError as exc:
        return _board_page(request, db, admin, community=community_code, show_all=False,
                             form={"leader_id": leader_id, "community_code": community_code, "start_date": start_date},
                             errors=errors_of(exc), status_code=exc.status_code)
    return done(f"/admin/pairings?community={assignment.community_code}",
                f"已安排{leader}自{assignment.start_date:%Y-%m-%d}起联系{place}", anchor="leaders")
