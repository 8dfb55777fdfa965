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
