"""Public pages for phones, mounted at /m: no sign-in, nothing personal, linked from the WeChat official
account's menu and from the QR codes printed on slips."""

from fastapi import APIRouter

from estation.web.phone import answers, notices, volunteer, wechat

router = APIRouter()
router.include_router(notices.router)
router.include_router(answers.router)
router.include_router(volunteer.router)
router.include_router(wechat.router)

__all__ = ["router"]
