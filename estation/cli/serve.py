"""`estation serve`: the web UIs and the JSON API, with the workers of the composition root."""

from __future__ import annotations

import os

import typer

STARTUP_SECONDS = 120
"""How long a worker process may take to start (load the model) before uvicorn's supervisor counts it as
failed during a rolling restart (SIGHUP): a cold start takes 10-40 s on a busy 2-core machine. A hung worker is also found only after this long."""


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, envvar="ESTATION_WORKERS",
                                help="Worker processes (each loads the model: see the README's deployment section)."),
    request_log: bool = typer.Option(False, "--request-log/--no-request-log", envvar="ESTATION_REQUEST_LOG",
                                    help="Log a line per request (an address can carry a searched name: off unless asked; "
                                         "deploy/nginx.conf logs requests without their query)."),
) -> None:
    """Serve the web UIs and the JSON API (OpenAPI at /docs). Id numbers and phones are masked in the log.

    Each worker process loads the matching model before it takes traffic (/readyz says whether it did)
    and runs the search-index worker and the notifier worker (outbox -> SMS / WeChat adapter,
    ESTATION_EXTERNAL_NOTIFICATIONS); each outbox row is claimed and applied by one of them. With
    ``--workers N`` uvicorn's supervisor starts N processes on one port, restarts one that dies, and on
    SIGHUP replaces them one by one, each new one taking traffic only once it has loaded the model."""
    import uvicorn

    from estation.privacy import server_log_config

    # Each worker's torch would otherwise use every core for each encoding, so N workers encoding at once
    # would ask for N times the cores there are: share them out (the workers inherit the environment).
    # An OMP_NUM_THREADS set by the operator wins.
    if workers > 1:
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))

    uvicorn.run("estation.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_config=server_log_config(), access_log=request_log, timeout_worker_healthcheck=STARTUP_SECONDS)
