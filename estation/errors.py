"""Domain errors: raised by services, rendered as JSON under /api and as a Chinese page in the UIs."""

from __future__ import annotations


class EstationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code


class NotFound(EstationError):
    status_code = 404


class Forbidden(EstationError):
    status_code = 403


class Conflict(EstationError):
    status_code = 409


class InvalidInput(EstationError):
    """Input that passed the schema but breaks a domain rule (overlapping periods, ...)."""

    status_code = 422


def error_body(message: str, field: str | None, kind: str) -> dict:
    """The JSON error shape, the same as FastAPI's own 422s so clients read one format."""
    loc = ["body", field] if field else ["body"]
    return {"detail": [{"loc": loc, "msg": message, "type": kind}]}
