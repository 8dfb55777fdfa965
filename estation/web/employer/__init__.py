"""The employer surface at /employer: registration, vacancies, candidates, quota, staff review."""

from fastapi import APIRouter

from estation.web.employer import account, placements, vacancies

router = APIRouter()
router.include_router(account.router)
router.include_router(vacancies.router)
router.include_router(placements.router)
