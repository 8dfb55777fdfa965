"""The API documents itself: Swagger UI at /docs and ReDoc at /redoc, and an OpenAPI description that
says for every operation who may call it and every error it can answer.

The two pages' files come with the app (the PyPI package ``fastapi-offline`` ships Swagger UI's and
ReDoc's bundles), never from a CDN, so the pages work on a network that reaches nothing outside.

Errors caused by an operation's dependencies are documented from those dependencies, so they cannot
drift from the code: sign-in (401), role checks and the cookie's CSRF check (403), input (413, 422)
and the database (503). Errors of an operation's own logic (404, 409, a domain's 422, 429) are declared
on its decorator with :func:`estation.errors.error_responses`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.staticfiles import StaticFiles

from estation.accounts.models import Role
from estation.apifields import describe_fields
from estation.deps import SAFE_METHODS, RoleCheck, current_principal, get_db, optional_principal
from estation.errors import ERROR_MEANINGS, ErrorBody
from estation.middleware import docs_policy

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
"""swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js and favicon.png."""
ASSETS_URL = "/docs/assets"
REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_REF = {"$ref": REF_TEMPLATE.format(model="ErrorBody")}
CSRF_MEANING = "用会话 Cookie 调用时缺少 X-CSRF-Token 请求头（用令牌调用不会出现）"
PLAIN = {"Successful Response": "成功", "Validation Error": ERROR_MEANINGS[422]}
"""FastAPI's own (English) descriptions of responses, in Chinese."""
GUIDE = """

**登录**：程序先 `POST /api/v1/auth/login`，把返回的 `token` 放在之后每个请求的 `Authorization: Bearer <token>`
请求头中（见“BearerToken”）。浏览器也可以用登录设置的会话 Cookie，这时每个写接口还要在 `X-CSRF-Token`
请求头中带上登录返回的 `csrf_token`。每个接口都写明了谁可以调用。

**出错时**：每个 4xx、5xx 回答都是同一种格式（ErrorBody）：`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`。
`msg` 是可以直接给使用者看的中文说明，`loc` 指出出错的位置（如 `["body", "id_number"]`），`type` 供程序判断。
"""
"""How to sign in and read an error: the head of the API's documentation, below the app's description."""
TAGS = {
    "accounts": ("登录与账号", "登录、退出，窗口为居民设置自助终端密码"),
    "labour": ("居民与家庭", "社区、家庭、居民档案和养老保险参保记录"),
    "jobs": ("岗位与求职", "职业分类、用人单位、岗位、创业机会和求职申请"),
    "employers": ("用人单位服务", "注册、本单位岗位、残疾人就业比例、推荐人选、邀请和站内消息"),
    "search": ("搜索", "岗位和创业机会的搜索与联想"),
    "matching": ("智能匹配", "为居民和家庭推荐岗位，为岗位找人，相似岗位，职业名称归一"),
    "pension": ("养老保险测算", "转移接续和灵活就业续缴的测算（不保存数据）"),
    "cases": ("窗口办件", "办事指南、工作日历和一窗通办的办件"),
    "ledger": ("帮扶台账", "困难家庭结对帮扶：问题事项、走访、推荐就业、结对、联户会议和履职情况"),
    "feedback": ("留言建议", "查看和答复居民的留言，公开的留言和答复，答复时效"),
    "ratings": ("好差评", "居民对窗口办件和自助终端的评价月报，差评回访"),
    "volunteers": ("志愿服务", "党员、志愿者联盟：志愿者登记和核实、台账和汇总、服务需求、推荐志愿者、安排和服务时长"),
    "alerts": ("短信和微信提醒", "居民本人选择用短信或微信接收哪些提醒（求职进展、每日新岗位、通知公告），随时撤回"),
    "reports": ("就业成效", "按月份统计求职、上岗、稳岗、零就业家庭清零和公益性岗位，按社区和人群分组"),
    "ops": ("运维", "健康检查"),
}
"""Each tag's Chinese name (ReDoc shows it in its menu) and what its operations are about."""


def install(app: FastAPI) -> None:
    """The /docs and /redoc pages with their files, and the completed OpenAPI description."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="apidocs")
    title = f"{app.title} - 数据接口"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _with_policy(get_swagger_ui_html(
            openapi_url=app.openapi_url or "", title=title, swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css", swagger_favicon_url=f"{ASSETS_URL}/favicon.png"))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _with_policy(get_redoc_html(
            openapi_url=app.openapi_url or "", title=title, redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False))

    generate = app.openapi
    completed: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI's, cached until the routes change
        if not completed or completed[0] is not schema:
            completed[:] = [complete(schema, app.routes)]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its schema


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = docs_policy(bytes(page.body))
    return page


def complete(schema: dict[str, Any], routes: list) -> dict[str, Any]:
    """The errors every /api/ operation's dependencies cause, who may call it, the one error shape for
    every error response and the fields' descriptions, added to FastAPI's schema (once)."""
    schema["info"]["description"] = schema["info"].get("description", "") + GUIDE
    used = sorted({tag for path in schema["paths"].values() for op in path.values() for tag in op.get("tags", [])},
                  key=lambda tag: list(TAGS).index(tag) if tag in TAGS else len(TAGS))
    schema["tags"] = [{"name": tag, **({"x-displayName": TAGS[tag][0], "description": TAGS[tag][1]}
                                       if tag in TAGS else {})} for tag in used]
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorBody.model_json_schema(ref_template=REF_TEMPLATE)
    for name, model_schema in {**error_schema.pop("$defs"), "ErrorBody": error_schema}.items():
        components.setdefault(name, model_schema)
    for route in iter_route_contexts(routes):
        if not (isinstance(route.original_route, APIRoute) and route.include_in_schema
                and str(route.path_format).startswith("/api/")):
            continue
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            _document_caller(operation, route, method)
    for path in schema["paths"].values():
        for operation in path.values():
            _one_error_shape(operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        if not _referenced(schema, unused):
            components.pop(unused, None)
    describe_fields(components)
    return schema


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _document_caller(operation: dict[str, Any], route: RouteContext, method: str) -> None:
    calls = list(_calls(route.dependant))
    responses = operation["responses"]
    roles = sorted({role for call in calls if isinstance(call, RoleCheck) for role in call.allowed_roles},
                   key=list(Role).index)
    signed_in = current_principal in calls
    writes = method not in SAFE_METHODS and optional_principal in calls
    if signed_in:
        responses.setdefault("401", {"description": ERROR_MEANINGS[401]})
    refusals = [f"账号的角色不是{'、'.join(r.label for r in roles)}" if roles else "", CSRF_MEANING if writes else ""]
    if any(refusals):  # after the operation's own reasons for a 403, if it declared any
        own = responses.get("403", {}).get("description", "没有权限：")
        responses["403"] = {"description": own + ("；" if "403" in responses else "") + "；".join(filter(None, refusals))}
    if route.body_field is not None:
        responses.setdefault("413", {"description": ERROR_MEANINGS[413]})
    if route.dependant.path_params or route.dependant.query_params or route.body_field is not None:
        responses.setdefault("422", {"description": ERROR_MEANINGS[422]})
    if get_db in calls:
        responses.setdefault("503", {"description": ERROR_MEANINGS[503]})
    if optional_principal in calls and not signed_in:
        operation["security"] = [*operation.get("security", []), {}]  # anyone; a signed-in caller may see more
    caller = (f"须登录，限{'、'.join(r.label for r in roles)}" if roles else "须登录" if signed_in
              else "无需登录" if optional_principal not in calls else "无需登录；登录后可能看到更多")
    line = f"**调用者**：{caller}。"
    description = operation.get("description", "")
    if line not in description:
        operation["description"] = f"{description}\n\n{line}".strip()


def _one_error_shape(operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response["content"] = {"application/json": {"schema": ERROR_REF}}
        response["description"] = PLAIN.get(response["description"], response["description"])
    operation["responses"] = dict(sorted(responses.items()))


def _referenced(node: Any, name: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == REF_TEMPLATE.format(model=name) or any(_referenced(v, name) for v in node.values())
    if isinstance(node, list):
        return any(_referenced(v, name) for v in node)
    return False

