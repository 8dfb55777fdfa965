"""A broken unique constraint is a 409 naming the field people filled in, on both engines; any other
integrity error stays a server error (estation.errors.duplicate_key)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.errors import duplicate_key
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus
from tests.factories import create_resident, create_user


def _refused(session: Session, row: object) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, session.begin_nested():
        session.add(row)
        session.flush()
    return caught.value


def test_a_taken_username_names_username(session: Session) -> None:
    taken = create_user(session, role=Role.employer)
    error = _refused(session, User(username=taken.username, display_name="另一家", password_hash="x", role=Role.employer))
    conflict = duplicate_key(error)
    assert conflict is not None and conflict.field == "username" and conflict.status_code == 409
    assert conflict.message == "该用户名已被使用，请换一个" and conflict.kind == "conflict"


def test_an_id_number_is_named_as_typed_not_as_stored(session: Session) -> None:
    resident = create_resident(session)
    twin = create_resident(session)
    twin.id_number_hash = resident.id_number_hash
    with pytest.raises(IntegrityError) as caught, session.begin_nested():
        session.flush()
    conflict = duplicate_key(caught.value)
    assert conflict is not None and conflict.field == "id_number" and conflict.message == "该身份证号已登记"


def test_a_missing_value_is_not_a_conflict(session: Session) -> None:
    error = _refused(session, Suggestion(reference=None, kind=SuggestionKind.suggestion, text="没有编号的留言",
                                         channel="kiosk", status=SuggestionStatus.open))
    assert duplicate_key(error) is None
