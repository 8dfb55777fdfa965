"""Forms that create or change records are done once, however often they are sent (see estation.submissions).

Every form of the UIs carries a one-time token next to its CSRF token (``form_fields()`` in the
templates). A route that changes records takes ``SubmittedOnce``, and its router uses ``FormRoute``:
the dependency claims the token, the route class keeps it with the page the submission redirected to
(or gives it back when the form came back to be corrected), and answers a second copy of the form with
that same page. A form posted without a token (a script) is taken as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from estation import submissions
from estation.deps import DB, OptionalPrincipal, request_scope
from estation.errors import Conflict, EstationError


class AlreadySubmitted(Conflict):
    """The form was sent before; rendered as a redirect to what the first submission led to."""

    def __init__(self, result_url: str | None) -> None:
        super().__init__("已提交：这份表单刚才已经提交过了，请不要重复提交", field="submission_token")
        self.result_url = result_url


def claim_submission(request: Request, db: DB, principal: OptionalPrincipal,
                     submission_token: Annotated[str, Form(max_length=submissions.TOKEN_LENGTH)] = "") -> None:
    # The signed-in session is looked up (and its last-seen time written, in a short transaction of its
    # own) before the claim: on SQLite the claim takes the write lock until the request ends, and that
    # other transaction would then wait for it in vain.
    if not submission_token:
        return
    if not submissions.claim(db, token=submission_token):
        raise AlreadySubmitted(submissions.earlier_result(db, token=submission_token))
    request_scope(request).settle_submission = partial(submissions.settle, db, token=submission_token)


SubmittedOnce = Depends(claim_submission)


class FormRoute(APIRoute):
    """Settles the claimed token before the request's unit of work commits, so a copy of the form
    waiting on the token finds the first one's page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except AlreadySubmitted as exc:
                if exc.result_url is None:
                    raise
                return RedirectResponse(exc.result_url, status_code=303)
            except (EstationError, RequestValidationError):
                await _settle(request, None)  # refused: a surface may still show it as a page and commit
                raise
            done = 300 <= response.status_code < 400 and "location" in response.headers
            await _settle(request, response.headers["location"] if done else None)
            return response

        return handler


async def _settle(request: Request, result_url: str | None) -> None:
    settle = request_scope(request).settle_submission
    if settle is not None:
        await run_in_threadpool(settle, result_url=result_url)
