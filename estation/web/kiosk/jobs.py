"""找工作, 为我推荐, the job detail with 我有意向 and 打印, and the printed slip."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from estation import clock
from estation.cases import service as cases
from estation.deps import DB, OptionalPrincipal, parts
from estation.errors import EstationError, NotFound
from estation.geo import distance_km, walking_minutes
from estation.jobs import phrases
from estation.jobs import service as jobs
from estation.jobs.models import Adjustment, Application, Vacancy
from estation.jobs.search import SearchQuery, Sort
from estation.jobs.search_api import search_service
from estation.kiosk import service as kiosk
from estation.kit import get_or_404
from estation.physical import DOMAIN_NAMES
from estation.web.kiosk import catalog
from estation.web.kiosk.keyboard import pinyin_json
from estation.web.kiosk.common import KioskRoute, SERVICE_HALL, SIGNIN_URL, kiosk_resident, page, signin_redirect, terminal
from estation.web.once import SubmittedOnce
from estation.web.qr import public_url, qr_svg
from estation.web.security import CsrfChecked
from estation.schemas import PathId

router = APIRouter(prefix="/kiosk", include_in_schema=False, route_class=KioskRoute)

PER_PAGE = 8
Flag = Annotated[str, Query(max_length=1, pattern="^[01]?$")]


def _origin(db: DB, principal) -> tuple[tuple[float, float], str]:
    """Where walking minutes are counted from: the resident's home once signed in, else the hall."""
    resident = kiosk_resident(principal)
    if resident is not None and resident.user.resident_id:
        home = kiosk.resident_of(db, resident.user)
        return (home.lat, home.lon), "从家"
    return SERVICE_HALL, "从服务大厅"


@dataclass(frozen=True)
class Asked:
    """What the search form asked for: the words, the category, and the filter buttons that are on."""

    text: str
    category: catalog.Category | None
    ticked: frozenset[str]

    def link(self, *, without: str = "", category: str | None = None, text: str | None = None, page_no: int = 1) -> str:
        """The results URL for this search with one thing changed: a plain link that works without scripts."""
        own = self.category.key if self.category else ""
        params = {"q": self.text if text is None else text, "cat": own if category is None else category,
                  **{k: "1" for k in sorted(self.ticked) if k != without}}
        if page_no > 1:
            params["page"] = str(page_no)
        return "/kiosk/jobs/results?" + urlencode({k: v for k, v in params.items() if v})


async def asked(  # async: no I/O, no hop to a worker thread
    q: Annotated[str, Query(max_length=40)] = "",
    cat: Annotated[str, Query(max_length=20)] = "",
    near: Flag = "", seated: Flag = "", light: Flag = "", short: Flag = "", home: Flag = "",
) -> Asked:
    flags = {"near": near, "seated": seated, "light": light, "short": short, "home": home}  # one per need
    return Asked(text=q.strip(), category=catalog.BY_KEY.get(cat),
                 ticked=frozenset(k for k, v in flags.items() if v == "1"))


AskedFor = Annotated[Asked, Depends(asked)]


def _form(ask: Asked) -> dict:
    """What the search form shows: the words, the category, the buttons on, the keyboard's words."""
    return {"q": ask.text, "category": ask.category, "categories": catalog.CATEGORIES, "filters": catalog.FILTERS,
            "active": {f.key: f.key in ask.ticked for f in catalog.FILTERS}, "pinyin": pinyin_json()}


@router.get("/jobs")
def jobs_start(request: Request, principal: OptionalPrincipal, ask: AskedFor):
    return page(request, "kiosk/jobs.html", _form(ask) | {"tiles": True}, principal=principal)


@router.get("/jobs/results")
def job_results(
    request: Request, db: DB, principal: OptionalPrincipal, ask: AskedFor,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100)] = 1,
):
    origin, origin_word = _origin(db, principal)
    # The resident's own words for what they need become the same filters as the buttons; the rest are
    # searched as words (the lexicon widens them: 厨房帮工 also finds 帮厨 and 后厨).
    understood = phrases.understand(ask.text)
    ask = Asked(text=understood.text, category=ask.category,
                ticked=ask.ticked | {n.key for n in understood.needs})
    query = phrases.narrowed(SearchQuery(
        kind="vacancy", text=ask.text, today=clock.today(), near=origin,
        occupation=ask.category.occupation if ask.category else None,
        sort=Sort.relevance if ask.text else Sort.distance, page=page_no, per_page=PER_PAGE, facets=False,
    ), (phrases.BY_KEY[key] for key in ask.ticked))
    result = search_service(request).search(db, query)
    items = [
        {"v": it.row, "minutes": it.walking_minutes, "demand_list": catalog.demand_badges(it.row.demands)}
        for it in result.items
    ]
    pages = max(1, -(-result.total // PER_PAGE))
    on = [f for f in catalog.FILTERS if f.key in ask.ticked]
    return page(request, "kiosk/results.html", _form(ask) | {
        "items": items, "total": result.total, "page_no": page_no, "pages": pages,
        "heard": understood.heard, "widened": [(g.word, g.alternatives[1:]) for g in query.groups if len(g.alternatives) > 1],
        "on": on, "ask": ask, "origin_word": origin_word, "signed_in": kiosk_resident(principal) is not None,
        "notice": result.notice, "words": catalog,
    }, principal=principal)


def _detail_context(db: DB, principal, vacancy_id: int) -> dict:
    vacancy = kiosk.open_vacancy(db, vacancy_id)
    origin, origin_word = _origin(db, principal)
    minutes = walking_minutes(distance_km(origin[0], origin[1], vacancy.lat, vacancy.lon))
    resident = kiosk_resident(principal)
    application = None
    if resident is not None and resident.user.resident_id:
        application = kiosk.application_for(db, resident_id=resident.user.resident_id, vacancy_id=vacancy.id)
    adjustments = [Adjustment(a).label for a in vacancy.adjustments or [] if a in Adjustment._value2member_map_]
    return {
        "v": vacancy, "minutes": minutes, "origin_word": origin_word, "application": application,
        "demand_list": catalog.demand_badges(vacancy.demands, DOMAIN_NAMES), "adjustments": adjustments,
    }


@router.get("/jobs/{vacancy_id}")
def job_detail(request: Request, db: DB, principal: OptionalPrincipal, vacancy_id: PathId):
    return page(request, "kiosk/detail.html", _detail_context(db, principal, vacancy_id), principal=principal)


@router.post("/jobs/{vacancy_id}/apply", dependencies=[CsrfChecked, SubmittedOnce])
def job_apply(request: Request, db: DB, principal: OptionalPrincipal, vacancy_id: PathId):
    resident = kiosk_resident(principal)
    if resident is None:
        # After signing in the resident comes back to the job and taps 我有意向 again.
        return RedirectResponse(f"{SIGNIN_URL}?next=/kiosk/jobs/{vacancy_id}", status_code=303)
    vacancy = kiosk.open_vacancy(db, vacancy_id)
    person = kiosk.resident_of(db, resident.user)
    try:
        jobs.apply(db, resident=person, vacancy=vacancy, by_user_id=resident.user.id)
    except EstationError as exc:
        ctx = _detail_context(db, principal, vacancy_id) | {"error": exc.message}
        return page(request, "kiosk/detail.html", ctx, principal=principal, status_code=exc.status_code)
    return RedirectResponse(f"/kiosk/jobs/{vacancy_id}?applied=1", status_code=303)


@router.post("/jobs/{vacancy_id}/print", dependencies=[CsrfChecked, SubmittedOnce])
def job_print(request: Request, db: DB, principal: OptionalPrincipal, vacancy_id: PathId):
    vacancy = kiosk.open_vacancy(db, vacancy_id)
    resident = kiosk_resident(principal)
    resident_id = resident.user.resident_id if resident else None
    application = kiosk.application_for(db, resident_id=resident_id, vacancy_id=vacancy.id) if resident_id else None
    row = kiosk.record_print(db, kind="vacancy", subject=str(vacancy.id), user=resident.user if resident else None,
                             resident_id=resident_id if application else None,
                             application_id=application.id if application else None, terminal=terminal(request))
    return RedirectResponse(f"/kiosk/prints/{row.reference}", status_code=303)


@router.post("/guide/{code}/print", dependencies=[CsrfChecked, SubmittedOnce])
def guide_print(request: Request, db: DB, principal: OptionalPrincipal, code: str):
    service = cases.get_service_type(db, code)
    resident = kiosk_resident(principal)
    # Signed in, the list is the resident's own (it tells of their situation): their slip, logged as such.
    row = kiosk.record_print(db, kind="service", subject=service.code, user=resident.user if resident else None,
                             resident_id=resident.user.resident_id if resident else None, terminal=terminal(request))
    return RedirectResponse(f"/kiosk/prints/{row.reference}", status_code=303)


@router.get("/prints/{reference}")
def print_view(request: Request, db: DB, principal: OptionalPrincipal, reference: str):
    row = kiosk.get_print(db, reference)
    resident = kiosk_resident(principal)
    if row.resident_id is not None and (resident is None or resident.user.resident_id != row.resident_id):
        # A slip naming someone's application shows only to them, and never after 结束.
        raise NotFound("没有这张打印单")
    ctx: dict = {"slip": row}
    if row.kind == "vacancy":
        vacancy = get_or_404(db, Vacancy, int(row.subject), "岗位不存在")
        url = public_url(request, f"/kiosk/jobs/{vacancy.id}")
        ctx |= {"v": vacancy, "url": url, "qr": qr_svg(url),
                "application": get_or_404(db, Application, row.application_id, "申请不存在") if row.application_id else None}
    else:
        service = cases.get_service_type(db, row.subject)
        person = kiosk.resident_of(db, resident.user) if row.resident_id is not None and resident else None
        ctx |= {"service": service, "person": person,
                "documents": kiosk.guide_documents(db, service=service, resident=person,
                                                   user=resident.user if person else None)}
    return page(request, "kiosk/print.html", ctx, principal=principal)


# --- 为我推荐 ---------------------------------------------------------------------------------

@router.get("/recommend")
def recommend(request: Request, db: DB, principal: OptionalPrincipal):
    if kiosk_resident(principal) is None:
        return signin_redirect(request)
    person = kiosk.resident_of(db, principal.user)
    found, error = None, None
    try:
        found = kiosk.recommendations(db, resident=person, user=principal.user, matching=parts(request).matching)
    except EstationError as exc:
        # The matcher says it is unavailable (model not loaded): said plainly, never a made-up list.
        error = exc.message
    except Exception:
        logging.getLogger("estation.kiosk").exception("recommendations failed")
        error = "推荐服务暂时出了问题，请稍后再试，或到服务窗口咨询。"
    return page(request, "kiosk/recommend.html", {"result": found, "error": error},
                principal=principal)
