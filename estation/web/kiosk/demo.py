"""The simulated ID-card reader's slot: demo-only, mounted by create_app only when ESTATION_DEMO is true.

A card placed here signs in whoever's id number it carries, with no PIN, so the routes must not exist on
a real instance (they answer 404 there because they are never registered). A real reader is an
:class:`~estation.accounts.idcard.IdCardReader` set on the app at start-up; this page refuses to place
cards on anything but the simulated one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from estation.accounts.idcard import IdCard, SimulatedReader
from estation.deps import DB, OptionalPrincipal
from estation.errors import InvalidInput, NotFound
from estation.kiosk import service as kiosk
from estation.web.kiosk.common import KioskRoute, card_reader, page, terminal
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/kiosk", include_in_schema=False, route_class=KioskRoute)


def _simulated(request: Request) -> SimulatedReader:
    reader = card_reader(request)
    if not isinstance(reader, SimulatedReader):
        raise NotFound("没有这个页面")
    return reader


@router.get("/demo/card")
def demo_card_page(request: Request, db: DB, principal: OptionalPrincipal):
    reader = _simulated(request)
    return page(request, "kiosk/demo_card.html",
                {"cards": kiosk.demo_cards(db), "holding": reader.holds_card(terminal(request))},
                principal=principal, timers=False)


@router.post("/demo/card", dependencies=[CsrfChecked])
def demo_card_place(
    request: Request, db: DB,
    resident_id: Annotated[int | None, Form()] = None,
    id_number: Annotated[str, Form(max_length=40)] = "",
):
    reader = _simulated(request)
    if resident_id is not None:
        resident = next((r for r in kiosk.demo_cards(db, limit=50) if r.id == resident_id), None)
        if resident is None:
            raise NotFound("没有这张演示身份证")
        id_number = resident.id_number
    if not id_number.strip():
        raise InvalidInput("请选择一张演示身份证或输入身份证号", field="id_number")
    reader.place(terminal(request), IdCard(id_number=id_number.strip().upper()))
    return RedirectResponse("/kiosk/signin/card", status_code=303)
