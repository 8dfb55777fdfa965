"""The volunteer alliance's pages (/volunteers): the community's ledger and registration, the street's
summary, needs with the volunteers proposed for them, assignments and attendance. Phone-first, like the
cadres' ledger; the kiosk's own page for residents is estation.web.kiosk.volunteer."""

from fastapi import APIRouter

from estation.web.volunteers import members, needs

router = APIRouter()
for _part in (members.router, needs.router):
    router.include_router(_part)

__all__ = ["router"]
