"""`estation index ...`: rebuild the search index, apply pending changes, show its state.

The backend, the encoder and the vectors hook come from the composition root's steps
(estation.composition), as the server's index worker gets them. Heavy imports happen inside the
commands so `estation --help` stays quick.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from enum import Enum
from typing import TYPE_CHECKING

import typer

from estation.cli.common import cli_session, console, progress_bar, progress_callback
from estation.config import Settings, get_settings

if TYPE_CHECKING:
    from estation.matching.encoder import Encoder
    from estation.matching.vectors import VectorStore
    from indexing.documents import Kind
    from indexing.sync import Vectors

index_app = typer.Typer(help="搜索索引：重建、同步待处理的变更、查看状态。", no_args_is_help=True)


class KindChoice(str, Enum):
    all = "all"
    vacancy = "vacancy"
    startup = "startup"


KINDS_OF: dict[KindChoice, tuple[Kind, ...]] = {
    KindChoice.all: ("vacancy", "startup"), KindChoice.vacancy: ("vacancy",), KindChoice.startup: ("startup",)}


def _encoder(settings: Settings) -> Encoder | None:
    """The shared encoder, or None (with a warning) if the model cannot be loaded: lexical search still works."""
    from estation.composition import shared_encoder
    from estation.matching.convert import ModelUnavailable

    try:
        return shared_encoder(settings)
    except ModelUnavailable as exc:
        console.print(f"[yellow]嵌入模型不可用，索引不含向量（语义匹配将较慢）：{exc.detail}[/yellow]")
        return None


@contextmanager
def _vectors(settings: Settings, encoder: Encoder | None) -> Iterator[tuple[Vectors | None, VectorStore | None]]:
    """The vectors hook (through the embedding store the server uses: estation.matching.vectors.embedding_store),
    or None without a model."""
    from estation.composition import database
    from estation.matching.vectors import embedding_store, listing_vectors

    if encoder is None:
        yield None, None
        return
    engine, _ = database(settings)
    store = embedding_store(settings, engine)
    try:
        yield listing_vectors(encoder, store=store), store
    finally:
        store.close()
        engine.dispose()


@index_app.command()
def rebuild(
    kind: KindChoice = typer.Option(KindChoice.all, help="Which index to rebuild: vacancy, startup or all."),
) -> None:
    """Fill a new index from the database and switch to it in one step (readers never see it half-built).

    Uses the backend of ESTATION_SEARCH_BACKEND (embedded by default, or elasticsearch). Every listing is
    embedded with the model of ESTATION_EMBEDDING_MODEL; its model id and vector size are written into
    the index metadata, so vectors of two models are never mixed. A model that cannot be loaded is
    reported and the index is built without vectors (run the rebuild again once the model is there).
    Vectors are kept as they are computed (PostgreSQL: the table passage_vector; SQLite:
    <ESTATION_VAR_DIR>/embeddings.sqlite3): a rebuild that was stopped resumes where it stopped when run
    again, and unchanged listings are never encoded twice.
    """
    import time

    from estation.composition import search_backend
    from estation.matching.encoder import vector_dims_for
    from estation.matching.service import encode_resident_phrases
    from indexing.sync import rebuild as rebuild_index
    from indexing.vectors import NO_VECTORS

    settings = get_settings()
    encoder = _encoder(settings)
    backend = search_backend(settings)
    started = time.time()
    with _vectors(settings, encoder) as (vectors, store), closing(backend):
        if encoder is not None and store is not None and store.count(encoder.model_id):
            console.print(f"已有 {store.count(encoder.model_id)} 条算好的向量，可直接复用（接着上次继续）。")
        with cli_session() as session, progress_bar() as progress:
            counts = rebuild_index(
                session, backend, kinds=KINDS_OF[kind],
                vector_dims=encoder.dim if encoder else vector_dims_for(settings),
                model_id=encoder.model_id if encoder else NO_VECTORS,
                vectors=vectors,
                progress=progress_callback(progress),
            )
        for k, n in counts.items():
            meta = backend.index_meta(k)  # type: ignore[arg-type]
            console.print(f"已重建{'岗位' if k == 'vacancy' else '创业机会'}索引：{n} 条，索引 {meta['index']}")
        if store is not None:
            console.print(f"向量：复用 {store.reused} 条，新算 {store.encoded} 条。")
            if encoder is not None:
                # Residents' phrases too, so the first employer's candidates page after this reads them
                # instead of encoding hundreds of residents while the employer waits.
                encoded = store.encoded
                with cli_session() as session:
                    phrases = encode_resident_phrases(session, encoder=encoder, store=store)
                console.print(f"居民的求职词句：{phrases} 条，新算 {store.encoded - encoded} 条。")
            if kind == KindChoice.all:
                store.forget_unused_since(started)  # every listing and resident asked for its vector just now


@index_app.command()
def sync(limit: int = typer.Option(5000, min=1, help="Most outbox rows to apply in this run.")) -> None:
    """Apply the pending index changes from the outbox now (the server's worker does this by itself)."""
    from estation.composition import search_backend
    from estation.outbox import one_runner
    from indexing.sync import pending_count, sync_pending

    settings = get_settings()
    backend = search_backend(settings)
    with _vectors(settings, _encoder(settings)) as (vectors, _store), closing(backend):
        # Beside a running server: its workers and this command each apply a row once (estation.outbox).
        with one_runner(settings.sqlalchemy_url, "index", wait=600) as alone:
            if not alone:
                console.print("[red]服务器正在同步索引，请稍后再试。[/red]")
                raise typer.Exit(1)
            with cli_session() as session:
                result = sync_pending(session, backend, limit=limit, refresh=True, vectors=vectors)
                left = pending_count(session)
        console.print(f"已同步 {result.applied} 条变更，失败 {result.failed} 条，尚待处理 {left} 条。")
        for error in result.errors[:5]:
            console.print(f"[red]{error}[/red]")
        if result.failed:
            raise typer.Exit(1)


@index_app.command()
def status() -> None:
    """Show the backend, whether it answers, each index's size and metadata, and pending changes."""
    from estation.composition import search_backend
    from indexing.documents import KINDS
    from indexing.query import EngineUnavailable
    from indexing.sync import pending_count

    settings = get_settings()
    backend = search_backend(settings)
    try:
        console.print(f"搜索后端：{backend.name}，{'可用' if backend.ping() else '[red]不可用[/red]'}")
        for k in KINDS:
            try:
                meta = backend.index_meta(k)
                console.print(f"  {k}: {backend.count(k)} 条 {meta}")
            except (LookupError, EngineUnavailable) as exc:
                console.print(f"  {k}: 无索引（{exc}）")
        with cli_session() as session:
            console.print(f"待同步的变更：{pending_count(session)} 条")
    finally:
        backend.close()
