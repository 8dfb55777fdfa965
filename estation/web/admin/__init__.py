"""The admin UI at /admin: users and roles, pairings, employers, suggestions, the catalogue, the calendar,
reminder rules and imports. Admins only, every page (the router's own check, besides each route's).

A new screen: its own module here with ``router = admin_router()`` (estation.web.admin.common: the /admin
prefix is the router's own, so route tables and the access matrix see whole paths), its paths relative to
/admin ("/users", ...), every route taking ``Admin``, one include line below and one line in common.NAV."""

from fastapi import APIRouter, Depends

from estation.web.admin import (
    calendar, catalogue, employers, follow_ups, home, imports, pairings, reminders, suggestions, users,
)
from estation.web.admin.common import ADMIN_ONLY

router = APIRouter(include_in_schema=False, dependencies=[Depends(ADMIN_ONLY)])
router.include_router(home.router)
router.include_router(users.router)
router.include_router(pairings.router)
router.include_router(employers.router)
router.include_router(suggestions.router)
router.include_router(follow_ups.router)
router.include_router(catalogue.router)
router.include_router(calendar.router)
router.include_router(reminders.router)
router.include_router(imports.router)
