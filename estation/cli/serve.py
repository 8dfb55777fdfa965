"""`estation serve`: the web UIs and the JSON API, with the workers of the composition root."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Serve the web UIs and the JSON API (OpenAPI at /docs). Id numbers and phones are masked in the log.

    Each process also runs the search-index worker and the notifier worker (outbox -> SMS / WeChat
    adapter, ESTATION_EXTERNAL_NOTIFICATIONS) and loads the matching model in the background."""
    import uvicorn

    from estation.privacy import server_log_config

    uvicorn.run("estation.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_config=server_log_config())
