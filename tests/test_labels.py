"""One Chinese label per enum value (estation.labels), and every screen shows that one, never the raw value."""

from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import estation
from estation.accounts.models import Role
from estation.cases.pension import assess_transfer
from estation.jobs.models import Application, ApplicationStatus, Shift
from estation.labels import Labelled
from estation.labour.models import Community, WorkCapacity
from estation.geo import provinces
from tests.cases.test_pension import period, request
from tests.factories import TEST_PASSWORD, create_employer, create_resident, create_user, create_vacancy

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
COMMAND_LINE = "estation.cli"
"""Command-line choices are typed by their English names and never shown as labels."""
NOT_LABELS = {
    ("indexing/documents.py", "STARTUP_KIND_TERMS"),  # words a listing is found by; screens show the label
    ("estation/matching/explain.py", "ADJUSTMENT_WORDS"),  # what a reason sentence says the employer offers
    ("fixtures/people.py", "who"),  # the demo's free-text hardship reasons ("老人丧失劳动能力")
    ("estation/kiosk/opportunities.py", "AMOUNT_WORDS"),  # what a kind's sum is (a rent, a loan's ceiling)
}
"""Tables of words for enum values that are not what the value is called."""


def _our_enums() -> list[type[enum.Enum]]:
    for info in pkgutil.walk_packages(estation.__path__, "estation."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found = {
        cls for module_name, module in list(importlib.sys.modules.items())
        if module_name.startswith("estation.") and not module_name.startswith(COMMAND_LINE)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, enum.Enum) and cls.__module__ == module_name and cls is not Labelled
    }
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


ENUMS = _our_enums()


def test_the_enums_are_found() -> None:
    names = {e.__name__ for e in ENUMS}
    assert {"WorkCapacity", "Shift", "ApplicationStatus", "CaseStatus", "LedgerStatus", "Role", "Sex"} <= names


@pytest.mark.parametrize("kind", ENUMS, ids=lambda e: e.__name__)
def test_every_enum_value_has_one_plain_chinese_label(kind: type[enum.Enum]) -> None:
    assert issubclass(kind, Labelled), f"{kind.__module__}.{kind.__name__} declares no labels"
    labels = [member.label for member in kind]
    for member, label in zip(kind, labels, strict=True):
        assert CJK.search(label) and not re.search(r"[A-Za-z]", label), f"{member!r}: {label!r}"
    assert len(set(labels)) == len(labels), f"two values of {kind.__name__} read the same: {labels}"


def _labelled_keys() -> tuple[dict[str, type[Labelled]], dict[frozenset[str], type[Labelled]]]:
    by_name = {e.__name__: e for e in ENUMS if issubclass(e, Labelled)}
    return by_name, {frozenset(m.value for m in e): e for e in by_name.values()}


def _label_tables(tree: ast.AST) -> list[tuple[int, str]]:
    """Dict literals mapping an enum's members (or their string values) to Chinese words."""
    by_name, value_sets = _labelled_keys()
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict) or len(node.keys) < 2 or None in node.keys:
            continue
        words = [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        if len(words) != len(node.values) or not all(CJK.search(v.value) for v in words):
            continue
        members = {k.value.id for k in node.keys if isinstance(k, ast.Attribute) and isinstance(k.value, ast.Name)}
        values = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        if (len(members) == 1 and members <= by_name.keys()) or any(values and values <= s for s in value_sets):
            out.append((node.lineno, ast.unparse(node)[:80]))
    return out


def _assigned_name(tree: ast.AST, lineno: int) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.lineno == lineno and isinstance(node.targets[0], ast.Name):
            return node.targets[0].id
    return ""


def test_no_other_table_of_an_enums_words_remains() -> None:
    found = []
    for folder in ("estation", "indexing", "fixtures"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{rel}:{line}: {text}" for line, text in _label_tables(tree)
                      if (rel, _assigned_name(tree, line)) not in NOT_LABELS]
    # Templates too: a literal such as {'pending': '等待答复', ...}[x.value] is a second table.
    inline = re.compile(r"\{\s*'\w+'\s*:\s*'[^']*[\u4e00-\u9fff]")
    for path in sorted((ROOT / "estation" / "web" / "templates").rglob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if inline.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert not found, "label tables outside the enums:\n" + "\n".join(found)


def test_the_check_catches_a_label_table() -> None:
    tree = ast.parse('X = {Shift.day: "白班", Shift.night: "夜班"}\nY = {"full": "完全", "none": "丧失"}\n'
                     'Z = {"a": "甲", "b": "乙"}')
    assert [line for line, _ in _label_tables(tree)] == [1, 2]


# --- the screens ---------------------------------------------------------------------------------

def _signed_in(api, user) -> TestClient:
    client = TestClient(api.app)
    assert client.post("/api/v1/auth/login", json={"username": user.username, "password": TEST_PASSWORD}).status_code == 200
    return client


@pytest.fixture
def scene(api):
    """A resident who cannot work and has an application at the interview stage, a rotating-shift vacancy,
    a clerk and the employer's account."""
    with api.db() as db:
        resident = create_resident(db, work_capacity=WorkCapacity.none)
        employer = create_employer(db)
        vacancy = create_vacancy(db, employer=employer, shift=Shift.rotating)
        db.add(Application(reference=f"SQ{resident.id:08d}", resident_id=resident.id, vacancy_id=vacancy.id,
                           status=ApplicationStatus.interview))
        clerk = create_user(db, role=Role.counter_staff, window=3)
        boss = create_user(db, role=Role.employer, employer_id=employer.id)
        community = db.get(Community, resident.community_code)
        db.commit()
        return {"resident": resident.id, "vacancy": vacancy.id, "clerk": clerk, "boss": boss,
                "community": (community.code, community.name)}


def test_the_counter_shows_labels_and_names_never_values_or_codes(api, scene) -> None:
    clerk = _signed_in(api, scene["clerk"])
    html = clerk.get(f"/counter/residents/{scene['resident']}", params={"reason": "窗口办理业务"}).text
    code, name = scene["community"]
    assert ApplicationStatus.interview.label in html and WorkCapacity.none.label in html and name in html
    assert "（interview）" not in html and code not in html and "社区 3701" not in html
    for word in ("邀请面试", "约了面试", "无劳动能力"):
        assert word not in html


def test_the_kiosk_and_the_employer_say_the_same_shift(api, scene) -> None:
    kiosk = api.anonymous.get(f"/kiosk/jobs/{scene['vacancy']}").text
    form = _signed_in(api, scene["boss"]).get("/employer/vacancies/new").text
    assert Shift.rotating.label in kiosk and Shift.rotating.label in form
    assert "轮班" not in kiosk and "轮班" not in form
    assert all(s.label in form for s in Shift)


def test_the_transfer_explanation_names_provinces_without_their_codes() -> None:
    assessment = assess_transfer(request(new_province="37", history=(period("44", "2008-01", "2019-12"),)),
                                 province_names=provinces())
    text = assessment.explanation
    assert "山东省" in text and "（37）" not in text and "（44）" not in text


def test_exports_write_the_label(session) -> None:
    from estation.imports.exporter import _resident_row

    resident = create_resident(session, work_capacity=WorkCapacity.none)
    row = _resident_row(resident, full=False)
    assert (row["work_capacity"], row["relation"], row["sex"]) == (WorkCapacity.none.label, resident.relation.label,
                                                                  resident.sex.label)
