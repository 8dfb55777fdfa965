"""The 24-hour self-service kiosk for residents, in elder mode, mounted at /kiosk."""

from fastapi import APIRouter

from estation.web.kiosk import jobs, personal, signin

router = APIRouter()
for _part in (signin.router, jobs.router, personal.router):
    router.include_router(_part)

__all__ = ["router"]
