"""The 24-hour self-service kiosk for residents, in elder mode, mounted at /kiosk."""

from fastapi import APIRouter

from estation.web.kiosk import alerts, demo, jobs, me, personal, ratings, signin, startups, volunteer

router = APIRouter()
for _part in (signin.router, jobs.router, personal.router, me.router, alerts.router, startups.router, ratings.router,
              volunteer.router):
    router.include_router(_part)

demo_router = demo.router
"""The simulated card reader's slot: create_app mounts it only when ESTATION_DEMO is true."""

__all__ = ["router", "demo_router"]
