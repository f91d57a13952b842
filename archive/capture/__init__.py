"""Capturing pages by URL: the guard that keeps fetches out of the archive's own network (`guard`), the
fetcher that goes only where the guard allows (`fetch`), and the WARC of each capture (`warc`)."""

from __future__ import annotations

from httpcore2._backends.base import NetworkBackend

from archive.capture.fetch import Exchange, Fetcher, FetchLimits
from archive.capture.guard import AddressPolicy, NameTable, Resolver, SystemResolver
from archive.config import Settings

__all__ = ["AddressPolicy", "Exchange", "Fetcher", "NameTable", "Resolver", "SystemResolver", "open_fetcher"]


def open_fetcher(
    settings: Settings, resolver: Resolver | None = None, connector: NetworkBackend | None = None
) -> Fetcher:
    """The fetcher the settings describe; `resolver` (default: `ARCHIVE_CAPTURE_HOSTS`'s table when it is
    set, else the system's) and `connector` (default: plain sockets) are the deployment's or a test's."""
    allowed = settings.capture_allowed_networks()
    table = settings.capture_host_table()
    policy = AddressPolicy(allowed)
    if resolver is None and table is not None:
        resolver = NameTable(table)
        policy = AddressPolicy(allowed, only=frozenset(a for answers in table.values() for a in answers))
    return Fetcher(
        policy,
        resolver or SystemResolver(),
        FetchLimits(
            max_bytes=settings.capture_max_bytes,
            timeout=settings.capture_timeout_seconds,
            user_agent=settings.capture_user_agent,
        ),
        spool_dir=settings.effective_spool_dir(),
        connector=connector,
    )
