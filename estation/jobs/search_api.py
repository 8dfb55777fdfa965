"""JSON search routes: ``GET /api/v1/search/jobs``, ``/startups`` and title typeahead.

Every parameter is declared with its bounds, so a bad one gets a 422 that names it, and a query
longer than :data:`MAX_QUERY_CHARS` is refused before it reaches segmentation or the engine.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, create_model, field_validator

from estation import clock
from estation.deps import DB, parts
from estation.geo import WALKING_METRES_PER_MINUTE
from estation.jobs.models import Adjustment, EmploymentType, Shift, StartupKind
from estation.jobs.search import SearchPage, SearchService
from estation.physical import DOMAIN_NAMES, MAX_LEVEL, domain_label
from indexing.query import SearchQuery, Sort

MAX_QUERY_CHARS = 200

router = APIRouter(prefix="/api/v1/search", tags=["search"])


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="关键词，可用口语（看门、做饭）或拼音首字母（bj）")
    community: list[Annotated[str, Field(pattern=r"^\d{12}$")]] = Field(default=[], description="社区代码，可多选")
    lat: float | None = Field(None, ge=-90, le=90, description="出发点纬度（如居民住址）")
    lon: float | None = Field(None, ge=-180, le=180, validate_default=True, description="出发点经度")
    radius_km: float | None = Field(None, gt=0, le=50, description="离出发点的距离上限（公里）")
    walk_minutes: int | None = Field(None, ge=1, le=120, description="步行分钟数上限（15分钟就业服务圈）")
    home_based: bool | None = Field(None, description="只看居家就业 (true) 或只看非居家 (false)")
    occupation: str | None = Field(
        None, pattern=r"^\d(-\d{2}){0,3}$", description="职业分类代码或其大类/中类/小类，如 4-07 或 4-07-05-01"
    )
    posted_since: date | None = Field(None, description="只看此日期及之后发布的")
    sort: Sort = Field(Sort.relevance, description="relevance 相关度、distance 距离、newest 最新、wage 工资")
    page: int = Field(1, ge=1, le=500)
    per_page: int = Field(20, ge=1, le=100)
    facets: bool = Field(True, description="是否返回分面计数")

    @field_validator("lon")
    @classmethod
    def _pair(cls, v: float | None, info: ValidationInfo) -> float | None:
        if (v is None) != (info.data.get("lat") is None):
            raise ValueError("纬度和经度需要同时提供")
        return v

    @field_validator("radius_km", "walk_minutes")
    @classmethod
    def _needs_point(cls, v: Any, info: ValidationInfo) -> Any:
        if v is not None and info.data.get("lat") is None:
            raise ValueError("按距离筛选需要提供出发点的经纬度 (lat, lon)")
        return v

    @field_validator("sort")
    @classmethod
    def _sort_needs_point(cls, v: Sort, info: ValidationInfo) -> Sort:
        if v == Sort.distance and info.data.get("lat") is None:
            raise ValueError("按距离排序需要提供出发点的经纬度 (lat, lon)")
        return v

    def _radius(self) -> float | None:
        if self.walk_minutes is not None:
            walk = self.walk_minutes * WALKING_METRES_PER_MINUTE / 1000
            return min(walk, self.radius_km) if self.radius_km is not None else walk
        return self.radius_km

    def _common(self) -> dict:
        near = (self.lat, self.lon) if self.lat is not None and self.lon is not None else None
        return dict(
            text=self.q.strip(), today=clock.today(), community_codes=tuple(self.community), near=near,
            radius_km=self._radius(), home_based=self.home_based, occupation=self.occupation,
            posted_since=datetime.combine(self.posted_since, time.min, tzinfo=timezone.utc) if self.posted_since else None,
            sort=self.sort, page=self.page, per_page=self.per_page, facets=self.facets,
        )

    def _demands(self) -> tuple[tuple[str, int], ...]:
        return tuple((d, getattr(self, f"max_{d}")) for d in DOMAIN_NAMES if getattr(self, f"max_{d}") is not None)


class _JobBase(_Common):
    min_wage: int | None = Field(None, ge=0, le=100000, description="月工资不低于（元）")
    max_hours: float | None = Field(None, gt=0, le=24, description="每天工作小时数不超过")
    max_days: int | None = Field(None, ge=1, le=7, description="每周工作天数不超过")
    shift: list[Shift] = Field(default=[], description="班次，可多选")
    employment_type: list[EmploymentType] = Field(default=[], description="用工形式，可多选")
    adjustment: list[Adjustment] = Field(default=[], description="必须提供的便利条件，可多选")
    employer_id: int | None = Field(None, ge=1)

    def to_query(self) -> SearchQuery:
        return SearchQuery(
            kind="vacancy", **self._common(), min_wage=self.min_wage, max_hours_per_day=self.max_hours,
            max_days_per_week=self.max_days, shifts=tuple(s.value for s in self.shift),
            employment_types=tuple(e.value for e in self.employment_type),
            adjustments=tuple(a.value for a in self.adjustment), max_demands=self._demands(),
            employer_id=self.employer_id,
        )


class _StartupBase(_Common):
    kind: list[StartupKind] = Field(default=[], description="创业机会类型：shop_space 店铺、project 项目、loan 贷款、subsidy 补贴")

    def to_query(self) -> SearchQuery:
        return SearchQuery(
            kind="startup", **self._common(), startup_kinds=tuple(k.value for k in self.kind),
            max_demands=self._demands(),
        )


def _demand_fields() -> dict[str, Any]:
    return {
        f"max_{d}": (int | None, Field(None, ge=0, le=MAX_LEVEL,
                                        description=f"{domain_label(d)}要求不高于（0-4级；单位未说明的按4级算）"))
        for d in DOMAIN_NAMES
    }


JobSearchParams = create_model("JobSearchParams", __base__=_JobBase, **_demand_fields())
StartupSearchParams = create_model("StartupSearchParams", __base__=_StartupBase, **_demand_fields())


class JobHit(BaseModel):
    id: int
    title: str
    title_html: str = Field(description="标题，匹配的词用 <mark> 标出")
    snippet_html: str
    employer_id: int
    employer_name: str
    community_code: str | None
    address: str
    wage_min: int
    wage_max: int
    hours_per_day: float
    days_per_week: int
    shift: Shift
    employment_type: EmploymentType
    home_based: bool
    adjustments: list[str]
    demands: dict[str, int]
    """The physical demands the employer stated; a missing domain was never stated and is unknown, not 0
    (the API documentation says so: estation.apifields.DEMANDS)."""
    occupation_code: str | None
    posted_at: datetime
    valid_until: date
    distance_km: float | None = None
    walking_minutes: int | None = None


class StartupHit(BaseModel):
    id: int
    kind: StartupKind
    title: str
    title_html: str
    snippet_html: str
    provider: str
    community_code: str | None
    address: str
    amount_yuan: int | None
    home_based: bool
    occupation_codes: list[str]
    posted_at: datetime
    valid_until: date
    distance_km: float | None = None
    walking_minutes: int | None = None


H = TypeVar("H")


class SearchResponse(BaseModel, Generic[H]):
    items: list[H]
    total: int
    page: int
    per_page: int
    sort: Sort
    facets: dict[str, dict[str, int]]
    degraded: bool = Field(description="搜索引擎不可用时为 true，结果直接来自数据库")
    backend: str
    notice: str | None = None


class Suggestions(BaseModel):
    suggestions: list[str]
    degraded: bool


def search_service(request: Request) -> SearchService:
    """The app's search service (estation.composition)."""
    return parts(request).search


def _response(page: SearchPage, items: list) -> dict:
    return dict(
        items=items, total=page.total, page=page.page, per_page=page.per_page, sort=page.sort,
        facets=page.facets, degraded=page.degraded, backend=page.backend, notice=page.notice,
    )


def _extra(item) -> dict:
    return dict(title_html=item.title_html, snippet_html=item.snippet_html, distance_km=item.distance_km,
                walking_minutes=item.walking_minutes)


@router.get("/jobs", response_model=SearchResponse[JobHit],
            summary="搜索岗位",
            description=("按关键词（同义词和拼音也能找到）、社区、工资、工时、班次、居家、体力要求上限和距离搜索在"
                         "招岗位，可按相关度、距离、工资或发布时间排序，并返回各筛选项的计数（公开）。搜索引擎不可"
                         "用时退回数据库查询，degraded 为 true。"))
def search_jobs(request: Request, db: DB, params: Annotated[JobSearchParams, Query()]) -> dict:
    page = search_service(request).search(db, params.to_query())
    items = []
    for it in page.items:
        v = it.row
        items.append(JobHit(
            id=v.id, title=v.title, employer_id=v.employer_id, employer_name=v.employer.name,
            community_code=v.community_code, address=v.address, wage_min=v.wage_min, wage_max=v.wage_max,
            hours_per_day=v.hours_per_day, days_per_week=v.days_per_week, shift=v.shift,
            employment_type=v.employment_type, home_based=v.home_based, adjustments=list(v.adjustments or []),
            demands=dict(v.demands or {}), occupation_code=v.occupation_code, posted_at=v.posted_at,
            valid_until=v.valid_until, **_extra(it),
        ))
    return _response(page, items)


@router.get("/startups", response_model=SearchResponse[StartupHit],
            summary="搜索创业机会",
            description="按关键词、类别和距离搜索创业机会（公开）。")
def search_startups(request: Request, db: DB, params: Annotated[StartupSearchParams, Query()]) -> dict:
    page = search_service(request).search(db, params.to_query())
    items = [
        StartupHit(
            id=s.id, kind=s.kind, title=s.title, provider=s.provider, community_code=s.community_code,
            address=s.address, amount_yuan=s.amount_yuan, home_based=s.home_based,
            occupation_codes=list(s.occupation_codes or []), posted_at=s.posted_at, valid_until=s.valid_until,
            **_extra(it),
        )
        for it in page.items
        for s in [it.row]
    ]
    return _response(page, items)


@router.get("/jobs/suggest", response_model=Suggestions,
            summary="岗位名称联想",
            description="根据已输入的文字或拼音首字母联想岗位名称，供搜索框使用（公开）。")
def suggest_jobs(
    request: Request, db: DB,
    prefix: Annotated[str, Query(min_length=1, max_length=30, description="已输入的文字或拼音首字母")],
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> dict:
    titles, degraded = search_service(request).suggest(db, "vacancy", prefix, limit=limit)
    return {"suggestions": titles, "degraded": degraded}
