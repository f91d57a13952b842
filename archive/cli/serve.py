"""`archive serve`: the HTTP API, with an admin key made on an archive that has none."""

from __future__ import annotations

from typing import Annotated

import typer

from archive.cli.runtime import Runtime, err
from archive.services import keys


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API. On an archive with no keys yet, prints a new admin key once."""
    import uvicorn  # noqa: PLC0415  (only this command needs the server)

    from archive.api.http_protocol import BoundedHttpToolsProtocol  # noqa: PLC0415
    from archive.api.observability import configure_logging  # noqa: PLC0415

    with Runtime.load() as runtime, runtime.writing() as uow:
        bootstrap = keys.create_bootstrap_key(uow)
    settings = runtime.settings  # the server opens its own database; this command's is closed by now
    if bootstrap is not None:
        err.print(
            f"No API keys existed, so an admin key named {keys.BOOTSTRAP_KEY_NAME!r} was made. "
            "It is shown this once; keep it:",
            highlight=False,
        )
        print(bootstrap, flush=True)
    configure_logging()
    uvicorn.run(  # httptools, with the bounds on headers and slow clients it lacks
        "archive.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        http=BoundedHttpToolsProtocol,
        proxy_headers=True,
        access_log=False,  # the service logs each request itself, as JSON with its request id
        log_config=None,
    )
