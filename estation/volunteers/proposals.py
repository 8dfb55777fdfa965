"""Which members to ask for a need, and why: every reason shown is a fact of the data.

Free time and distance decide who may be asked at all: the need's weekday and part of the day must be one
of the member's free slots, and the place within the distance they said they would go; only members who
agreed to be contacted are proposed. Among them, the order comes from the activity they said they want and
how close their own words (interests, skills) are to what the need says, read by the matching engine's
encoder and calibrated to its phrase band (estation.matching.scoring). An interest or skill is named as a
reason only when that similarity reaches the engine's "close" mark, and it is quoted as the member wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from estation.accounts.models import User
from estation.errors import Conflict, InvalidInput
from estation.geo import distance_km, distance_words
from estation.labour.service import communities
from estation.matching.runtime import MatchingRuntime
from estation.matching.scoring import calibrate, split_items
from estation.privacy import mask_phone
from estation.volunteers import repository
from estation.volunteers.models import (
    NeedStatus,
    Volunteer,
    VolunteerAssignment,
    VolunteerNeed,
    VolunteerStatus,
    Weekday,
)
from estation.volunteers.schemas import Proposal, VolunteerReason, slot, slot_words

WEIGHTS = {"activity": 0.45, "words": 0.4, "near": 0.15}
NAMED = 0.75
"""The calibrated similarity from which a member's item is named as a reason. Higher than the job matcher's
"close" (0.6): two short phrases sit higher in the model's band than a phrase against a whole posting, and
at 0.6 "水电维修" came out close to "帮忙买菜"; from 0.75 only what a person would call alike (护理 and
量血压, 陪老人聊天 and itself) is named."""
WEEKDAYS = list(Weekday)


def need_slot(need: VolunteerNeed) -> str:
    return slot(WEEKDAYS[need.first_on.weekday()], need.part_of_day)


def need_texts(need: VolunteerNeed) -> list[str]:
    return list(dict.fromkeys([need.title, *split_items(need.requirements)]))


def member_items(v: Volunteer) -> list[tuple[str, str]]:
    """(source, item) of the member's own words: interests first, then skills, each once."""
    seen: dict[str, str] = {}
    for source, text in (("interest", v.interests), ("skill", v.skills)):
        for item in split_items(text):
            seen.setdefault(item, source)
    return [(source, item) for item, source in seen.items()]


@dataclass(frozen=True)
class Fit:
    """Whether a member may be asked for a need, and what is known of the fit."""

    volunteer: Volunteer
    km: float
    free: bool
    near: bool

    @property
    def allowed(self) -> bool:
        return self.free and self.near and self.volunteer.consent_to_contact


def fit(need: VolunteerNeed, v: Volunteer) -> Fit:
    km = distance_km(v.lat, v.lon, need.lat, need.lon)
    return Fit(volunteer=v, km=km, free=need_slot(need) in v.free_slots, near=km <= v.max_km)


@dataclass(frozen=True)
class Closeness:
    source: str
    """interest or skill"""
    item: str
    """The member's words, as written."""
    about: str
    """The need's text it is closest to."""
    similarity: float
    """Calibrated to the encoder's phrase band, 0..1."""


def word_similarities(matching: MatchingRuntime | None, need: VolunteerNeed, members: list[Volunteer]
                      ) -> dict[int, list[Closeness]]:
    """Per member: how close each of their items is to the need's closest text (title or requirement).
    Without the matcher (``None``: the model is unavailable), no item is compared and none is named."""
    items = {v.id: member_items(v) for v in members}
    texts = need_texts(need)
    every = list(dict.fromkeys(i for its in items.values() for _s, i in its))
    if not every or matching is None:
        return {vid: [] for vid in items}
    vectors = matching.matcher().retriever.encode_items(every + texts)
    cos = vectors[: len(every)] @ vectors[len(every):].T
    best = {item: (texts[int(np.argmax(row))], calibrate(float(np.max(row)))) for item, row in zip(every, cos)}
    return {vid: [Closeness(s, i, *best[i]) for s, i in its] for vid, its in items.items()}


def reasons_for(need: VolunteerNeed, f: Fit, words: list[Closeness]) -> tuple[list[VolunteerReason], float]:
    v = f.volunteer
    reasons = [VolunteerReason(kind="time", text=f"{slot_words(need_slot(need))}有空"),
               VolunteerReason(kind="distance", text=f"住处离服务地点{distance_words(f.km)}")]
    wants = need.activity.value in v.activities
    if wants:
        reasons.append(VolunteerReason(kind="activity", text=f"愿意参加{need.activity.label}"))
    close = sorted((w for w in words if w.similarity >= NAMED), key=lambda w: (-w.similarity, w.item))[:2]
    for w in close:
        said = "兴趣" if w.source == "interest" else "技能"
        reasons.append(VolunteerReason(kind=w.source, item=w.item, about=w.about,
                              text=f"{said}“{w.item}”" + ("正是需求所说" if w.item == w.about else f"与需求“{w.about}”相近")))
    if v.party_member:
        reasons.append(VolunteerReason(kind="party", text="党员"))
    best = max((w.similarity for w in words), default=0.0)
    score = (WEIGHTS["activity"] * wants + WEIGHTS["words"] * best
             + WEIGHTS["near"] * (1 - min(1.0, f.km / max(v.max_km, 0.1))))
    return reasons, round(score, 4)


def propose(session: Session, *, need: VolunteerNeed, matching: MatchingRuntime | None, limit: int = 10
            ) -> list[Proposal]:
    """The members to ask first, best first, each with the reasons that make them fit (without the
    matcher, by free time, distance and the activity alone)."""
    if need.status != NeedStatus.open:
        return []
    taken = {a.volunteer_id for a in need.assignments}
    fits = [f for f in (fit(need, v) for v in repository.contactable(session, excluding=taken)) if f.allowed]
    words = word_similarities(matching, need, [f.volunteer for f in fits])
    names = communities(session)
    out = []
    for f in fits:
        reasons, score = reasons_for(need, f, words[f.volunteer.id])
        out.append(Proposal(volunteer_id=f.volunteer.id, name=f.volunteer.name, phone_masked=mask_phone(f.volunteer.phone),
                            community_name=names[f.volunteer.community_code].short_name, distance_km=round(f.km, 2),
                            score=score, reasons=reasons))
    out.sort(key=lambda p: (-p.score, p.distance_km, p.volunteer_id))
    return out[:limit]


def assign(session: Session, *, user: User, need: VolunteerNeed, volunteer_id: int,
           matching: MatchingRuntime | None, today: date) -> VolunteerAssignment:
    """Take a member on for a need: only one who may be asked (free then, near enough, agreed to be
    contacted); the reasons kept are those the proposal gave. Taken on twice, it is one assignment."""
    if need.status != NeedStatus.open:
        raise Conflict("该需求已结束", field="volunteer_id")
    v = session.get(Volunteer, volunteer_id)
    if v is None or v.status != VolunteerStatus.member:
        raise InvalidInput("志愿者不存在", field="volunteer_id")
    f = fit(need, v)
    if not v.consent_to_contact:
        raise Conflict("该志愿者没有同意被联系", field="volunteer_id")
    if not f.free:
        raise Conflict(f"该志愿者{slot_words(need_slot(need))}没有空", field="volunteer_id")
    if not f.near:
        raise Conflict("服务地点超出了该志愿者愿意去的距离", field="volunteer_id")
    reasons, _score = reasons_for(need, f, word_similarities(matching, need, [v])[v.id])
    new_id = repository.insert_assignment(session, {
        "need_id": need.id, "volunteer_id": v.id, "assigned_on": today, "assigned_by_id": user.id,
        "reasons": [r.text for r in reasons]})
    if new_id is None:
        raise Conflict("该志愿者已经安排在这项需求里了", field="volunteer_id")
    session.expire(need, ["assignments"])
    assignment = session.get(VolunteerAssignment, new_id)
    assert assignment is not None
    return assignment
