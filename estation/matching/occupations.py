"""Occupation normalisation: a free-text job title or experience line -> codes of the 2022 classification.

Every detailed occupation (level 4 of 职业分类大典) is embedded once as a passage ("name: aliases")
and the matrix is cached under ``<var_dir>/occupations/<model>/`` (a new model, a new cache). A text
is scored against all of them by cosine (calibrated to e5's narrow band) combined with lexical
overlap: the occupation's name or one of its aliases appearing among the text's words (jieba, with
the job-word synonyms of indexing/text.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEMANTIC_WEIGHT = 0.6
LEXICAL_WEIGHT = 0.4
CONFIDENT = 0.6
"""A combined score from which a code is taken as the resident's (used as a matching signal)."""
_COS_LOW, _COS_HIGH = 0.78, 0.92


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    name: str
    score: float
    semantic: float
    lexical: float


def _entries() -> list[tuple[str, str, tuple[str, ...]]]:
    from estation.jobs.occupations import read_csco22
    from indexing.lexicon import _csco22_text, occupation_terms

    terms = occupation_terms()
    return [(r.code, r.name, tuple(terms.get(r.code, (r.name,)))) for r in read_csco22(_csco22_text()) if r.level == 4]


def _passage(name: str, words: Sequence[str]) -> str:
    aliases = [w for w in words if w != name][:8]
    return f"{name}：{'、'.join(aliases)}" if aliases else name


def _slug(model_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:80] + "-" + hashlib.sha256(model_id.encode()).hexdigest()[:8]


class OccupationIndex:
    def __init__(self, encoder, codes: list[str], names: list[str], words: list[tuple[str, ...]], matrix: np.ndarray) -> None:  # noqa: ANN001
        self.encoder = encoder
        self.codes, self.names, self.words = codes, names, words
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self._name_of = dict(zip(codes, names))
        self.digest = ""
        # word -> (occupation rows it names, is it the occupation's own name): a text's words are
        # looked up here instead of testing every occupation against every text.
        self._by_word: dict[str, list[tuple[int, bool]]] = {}
        for i, (name, ws) in enumerate(zip(names, words)):
            self._by_word.setdefault(name, []).append((i, True))
            for w in ws[1:]:
                if w != name:
                    self._by_word.setdefault(w, []).append((i, False))
        self._confident: dict[str, list[OccupationMatch]] = {}

    @staticmethod
    def _paths(cache_dir: Path, model_id: str, digest: str) -> tuple[Path, Path]:
        folder = Path(cache_dir) / _slug(model_id)
        return folder / f"occupations-{digest}.npy", folder / f"occupations-{digest}.json"

    @classmethod
    def load(cls, encoder, *, cache_dir: Path | None = None, also: Sequence[Path] = ()) -> OccupationIndex:  # noqa: ANN001
        """From the first cache (``cache_dir``, then ``also``) that holds this model's matrix, else
        encoded here and written to every one of them."""
        entries = _entries()
        codes = [c for c, _, _ in entries]
        names = [n for _, n, _ in entries]
        words = [w for _, _, w in entries]
        texts = [_passage(n, w) for _, n, w in entries]
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
        matrix = None
        dirs = [d for d in (cache_dir, *also) if d is not None]
        for d in dirs:
            path, meta_path = cls._paths(d, encoder.model_id, digest)
            if path.exists() and meta_path.exists():
                meta = json.loads(meta_path.read_text())
                if meta.get("model_id") == encoder.model_id and meta.get("codes") == codes:
                    matrix = np.load(path)
                    break
        index = cls(encoder, codes, names, words, matrix if matrix is not None else encoder.encode_documents(texts))
        index.digest = digest
        for d in dirs:
            if not cls._paths(d, encoder.model_id, digest)[0].exists():
                try:
                    index.save(d)
                except OSError:  # a read-only cache is only a missed shortcut
                    pass
        return index

    def save(self, cache_dir: Path) -> None:
        path, meta_path = self._paths(cache_dir, self.encoder.model_id, self.digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npy")
        np.save(tmp, self.matrix)
        tmp.replace(path)  # never a half-written cache that looks complete
        meta_path.write_text(json.dumps({"model_id": self.encoder.model_id, "codes": self.codes}, ensure_ascii=False))

    def name(self, code: str) -> str | None:
        return self._name_of.get(code)

    def lexical(self, text: str) -> np.ndarray:
        """1 where the occupation's name is among the text's words (or in it), 0.7 for an alias."""
        from estation.matching.scoring import item_terms

        said = set(item_terms(text))
        # Names written inside a longer phrase (做过保安员的 -> 保安员): every substring up to 10 characters.
        spans = {text[i:j] for i in range(len(text)) for j in range(i + 2, min(len(text), i + 10) + 1)}
        out = np.zeros(len(self.codes), dtype=np.float32)
        for word in said | spans:
            for i, is_name in self._by_word.get(word, ()):
                if is_name and (word in said or word in spans):
                    out[i] = 1.0
                elif word in said and out[i] < 0.7:
                    out[i] = 0.7
        return out

    def top(self, text: str, *, k: int = 5, vector: np.ndarray | None = None) -> list[OccupationMatch]:
        text = (text or "").strip()
        if not text:
            return []
        vec = vector if vector is not None else self.encoder.encode_queries([text])[0]
        cos = self.matrix @ np.asarray(vec, dtype=np.float32)
        sem = np.clip((cos - _COS_LOW) / (_COS_HIGH - _COS_LOW), 0.0, 1.0)
        lex = self.lexical(text)
        score = SEMANTIC_WEIGHT * sem + LEXICAL_WEIGHT * lex
        order = np.lexsort((np.arange(len(score)), -score))[:k]
        return [OccupationMatch(self.codes[i], self.names[i], round(float(score[i]), 4), round(float(sem[i]), 4),
                                float(lex[i])) for i in order]

    def confident_many(self, texts: Sequence[str]) -> dict[str, list[OccupationMatch]]:
        """:meth:`confident` for many texts, encoding in one batch only those not seen before."""
        out = {t: self._confident[t] for t in texts if t in self._confident}
        new = [t for t in dict.fromkeys(texts) if t not in out]
        if new:
            for t, v in zip(new, self.encoder.encode_queries(new)):
                out[t] = self.confident(t, vector=v)
        return out

    def confident(self, text: str, *, vector: np.ndarray | None = None) -> list[OccupationMatch]:
        """The best code if it is clearly meant (the name or an alias said, and close in meaning)."""
        hit = self._confident.get(text)
        if hit is None:
            hit = [m for m in self.top(text, k=1, vector=vector) if m.score >= CONFIDENT]
            if len(self._confident) < 50_000:
                self._confident[text] = hit
        return hit


def occupation_index(settings, encoder) -> OccupationIndex:  # noqa: ANN001
    """The app's index: cached in ``var_dir`` and beside the model (derived from it, and shared by
    every app on this machine: tests build many apps, each with its own ``var_dir``). Embedding the
    ~1,600 occupations takes a while once; then the matrix is read from the cache."""
    return OccupationIndex.load(encoder, cache_dir=Path(settings.var_dir) / "occupations",
                                also=[Path(settings.model_cache_dir) / "occupations"])
