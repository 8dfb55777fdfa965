"""What residents ask for in their own words, understood as search filters and sorting.

A resident types 离家近的, 不用站着, 轻活 or 在家做 where a form would have a filter. Each such need is
declared once here as a :class:`Need`: the words residents use for it, what the search then does
(:meth:`Need.narrow`), and how the kiosk names and explains it. :func:`understand` reads the needs out
of a query and leaves the other words (厨房帮工, 电脑) to the search lexicon (indexing/lexicon.py),
which widens them to the words listings use. The kiosk's filter buttons are these same needs, so a
need typed and a need tapped are one and the same filter.

Demand levels are those of :data:`estation.physical.DOMAINS` (0-4, lightest first); a job whose
employer did not state a demand counts as demanding the most (indexing/documents.py), so it is never
offered as 轻活 on a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from estation.geo import WALKING_METRES_PER_MINUTE
from estation.physical import DOMAINS
from indexing.lexicon import COLLOQUIAL, EXTRA_WORDS
from indexing.query import SearchQuery, Sort
from indexing.text import job_word_spans, normalise, segment_query

NEAR_WALK_MINUTES = 15
SHORT_HOURS = 4.0
SEATED_MAX_STANDING = 1
"""Level 1 of standing_walking: mostly seated, standing now and then (a cashier given a stool)."""
LIGHT_MAX_LIFTING = 1
"""Level 1 of lifting_carrying: nothing heavy, now and then up to 5 kg."""


def _at_most(demands: tuple[tuple[str, int], ...], domain: str, level: int) -> tuple[tuple[str, int], ...]:
    """``demands`` with ``domain`` capped at ``level`` (a lower cap already there stays)."""
    kept = dict(demands)
    kept[domain] = min(level, kept.get(domain, level))
    return tuple(kept.items())


def _near(q: SearchQuery) -> SearchQuery:
    # Near is a circle around the resident's home (or the hall), nearest first: a distance, not a word.
    return replace(q, radius_km=NEAR_WALK_MINUTES * WALKING_METRES_PER_MINUTE / 1000, sort=Sort.distance)


def _seated(q: SearchQuery) -> SearchQuery:
    return replace(q, max_demands=_at_most(q.max_demands, "standing_walking", SEATED_MAX_STANDING))


def _light(q: SearchQuery) -> SearchQuery:
    return replace(q, max_demands=_at_most(q.max_demands, "lifting_carrying", LIGHT_MAX_LIFTING))


def _short(q: SearchQuery) -> SearchQuery:
    return replace(q, max_hours_per_day=min(SHORT_HOURS, q.max_hours_per_day or SHORT_HOURS))


def _home(q: SearchQuery) -> SearchQuery:
    return replace(q, home_based=True)


def _not_needed(domain: str, level: int) -> str:
    """What a job demanding at most ``level`` spares a resident, as one phrase (多半坐着、偶尔站一站)."""
    return DOMAINS[domain].not_needed[level].replace("，", "、")


@dataclass(frozen=True)
class Need:
    key: str
    """The form field (``near=1``) and the kiosk's filter button."""
    name: str
    """Its name on the filter button, in residents' words."""
    note: str
    """The short line under the name on the button."""
    meaning: str
    """What the search does for it, said to the resident (已按“离家近”……)."""
    words: tuple[str, ...]
    """What residents type for it."""
    narrow: Callable[[SearchQuery], SearchQuery]
    """The query with this need applied."""


NEEDS: tuple[Need, ...] = (
    Need("near", "离家近", f"步行{NEAR_WALK_MINUTES}分钟以内",
         f"只看步行{NEAR_WALK_MINUTES}分钟以内能走到的岗位，近的排在前面",
         ("离家近", "离家不远", "离我家近", "家附近", "家门口", "附近", "近一点", "近点", "走路能到", "走着去"), _near),
    Need("seated", "坐着干", _not_needed("standing_walking", SEATED_MAX_STANDING),
         f"只看{_not_needed('standing_walking', SEATED_MAX_STANDING)}的岗位",
         ("不用站着", "不用一直站着", "不用站", "不站着", "能坐着", "可以坐着", "坐着干", "坐着"), _seated),
    Need("light", "轻活", DOMAINS["lifting_carrying"].levels[LIGHT_MAX_LIFTING],
         f"只看{_not_needed('lifting_carrying', LIGHT_MAX_LIFTING)}的岗位",
         ("轻活", "轻松的活", "活轻", "不累", "不太累", "不用搬", "不搬重物", "不干重活"), _light),
    Need("short", "时间短", f"每天{SHORT_HOURS:g}小时以内", f"只看每天干{SHORT_HOURS:g}小时以内的岗位",
         ("半天", "时间短", "短时间", "时间不长", "干半天", "上半天班"), _short),
    Need("home", "在家干", "居家就业", "只看在家就能干的岗位",
         ("在家做", "在家干", "在家里做", "在家里干", "在家", "不出门"), _home),
)
BY_KEY: dict[str, Need] = {n.key: n for n in NEEDS}


@dataclass(frozen=True)
class Heard:
    need: Need
    said: str
    """The resident's own words it was read from (附近, 不累)."""


@dataclass(frozen=True)
class Understood:
    text: str
    """The words left to search for; the query unchanged when no need was heard in it."""
    heard: tuple[Heard, ...]
    """The needs read out of the query, in the order the resident said them."""

    @property
    def needs(self) -> tuple[Need, ...]:
        return tuple(h.need for h in self.heard)


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[str, Need], ...]:
    """Every (word, need), longest word first, so 不用一直站着 is read before 坐着 or 不用站."""
    return tuple(sorted(((normalise(w), n) for n in NEEDS for w in n.words), key=lambda p: -len(p[0])))


def understand(text: str) -> Understood:
    """Read residents' needs out of ``text``; a phrase never cuts through a job word of the lexicon."""
    norm = normalise(text.strip())
    guarded = job_word_spans(norm)
    taken = [False] * len(norm)
    found: list[tuple[int, Heard]] = []
    for word, need in _phrases():
        start = norm.find(word)
        while start >= 0:
            end = start + len(word)
            free = not any(taken[start:end])
            if free and not any(s < start < e or s < end < e for s, e in guarded):
                taken[start:end] = [True] * len(word)
                if need not in (h.need for _, h in found):
                    found.append((start, Heard(need, word)))
            start = norm.find(word, start + 1)
    if not found:
        return Understood(text=text.strip(), heard=())
    rest = "".join(" " if t else ch for ch, t in zip(norm, taken))
    return Understood(text=" ".join(segment_query(rest)), heard=tuple(h for _, h in sorted(found, key=lambda f: f[0])))


def narrowed(query: SearchQuery, needs: Iterable[Need]) -> SearchQuery:
    for need in needs:
        query = need.narrow(query)
    return query


def typing_words() -> tuple[str, ...]:
    """The words an on-screen keyboard should offer: what residents say for jobs and for their needs."""
    words = [w for n in NEEDS for w in n.words] + list(COLLOQUIAL) + list(EXTRA_WORDS)
    for targets in COLLOQUIAL.values():
        words += targets
    return tuple(dict.fromkeys(words))
