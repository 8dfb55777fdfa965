"""The admin UI at /admin: users and roles, pairings, employers, suggestions, the catalogue, the calendar,
reminder rules and imports. Admins only, every page (the router's own check, besides each route's).

A new screen: its own module here with ``router = admin_router()`` (estation.web.admin.common), its
paths relative to /admin ("/users", ...), one include line below and one line in common.NAV."""

from fastapi import APIRouter, Depends

from estation.web.admin import catalogue, home
from estation.web.admin.common import ADMIN_ONLY

PREFIX = "/admin"

router = APIRouter(include_in_schema=False, dependencies=[Depends(ADMIN_ONLY)])
router.include_router(home.router, prefix=PREFIX)
router.include_router(catalogue.router, prefix=PREFIX)
