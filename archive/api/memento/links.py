"""Memento (RFC 7089) in HTTP terms: link-format TimeMaps, TimeGate redirects, and the headers of mementos.

A document's versions are the mementos of its original URL (its `source_url`); each memento's datetime is
when the archive received that version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request

from archive.errors import InvalidDatetime
from archive.services.history import Memento, TimeMap
from archive.wire.versions import version_path

LINK_FORMAT = "application/link-format"


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_accept_datetime(header: str | None) -> datetime | None:
    """The `Accept-Datetime` header (an RFC 1123 date), or None when absent; 400 when it does not parse."""
    if header is None:
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        raise InvalidDatetime(f"Accept-Datetime {header[:80]!r} is not an HTTP date") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class MementoLinks:
    """The URLs of one document's Memento resources, absolute, as clients need them."""

    def __init__(self, request: Request, timemap: TimeMap) -> None:
        self.base = str(request.base_url).rstrip("/")
        self.document = timemap.document
        self.timemap = timemap

    @property
    def original(self) -> str | None:
        return self.document.source_url

    @property
    def timegate(self) -> str:
        if self.original is not None:
            return f"{self.base}/memento/timegate/{self.original}"
        return f"{self.base}/v1/documents/{self.document.id}/timegate"

    @property
    def timemap_url(self) -> str:
        if self.original is not None:
            return f"{self.base}/memento/timemap/link/{self.original}"
        return f"{self.base}/v1/documents/{self.document.id}/timemap"

    def memento(self, number: int) -> str:
        return f"{self.base}{version_path(self.document.id, number)}/content"

    def _context(self) -> list[str]:
        links = [f'<{self.original}>; rel="original"'] if self.original else []
        links.append(f'<{self.timegate}>; rel="timegate"')
        return links

    def _memento_link(self, memento: Memento, rel: str) -> str:
        return f'<{self.memento(memento.number)}>; rel="{rel}"; datetime="{http_date(memento.archived_at)}"'

    def _rel(self, index: int) -> str:
        last = len(self.timemap.mementos) - 1
        words = [word for word, applies in (("first", index == 0), ("last", index == last)) if applies]
        return " ".join([*words, "memento"])

    def timemap_body(self) -> str:
        mementos = self.timemap.mementos
        self_link = f'<{self.timemap_url}>; rel="self"; type="{LINK_FORMAT}"'
        if mementos:
            first, last = http_date(mementos[0].archived_at), http_date(mementos[-1].archived_at)
            self_link += f'; from="{first}"; until="{last}"'
        lines = [*self._context(), self_link]
        lines += [self._memento_link(m, self._rel(i)) for i, m in enumerate(mementos)]
        return ",\n".join(lines) + "\n"

    def timegate_headers(self, memento: Memento) -> dict[str, str]:
        links = [
            *self._context()[:1],
            f'<{self.timemap_url}>; rel="timemap"; type="{LINK_FORMAT}"',
            self._memento_link(memento, "memento"),
        ]
        return {"Location": self.memento(memento.number), "Vary": "accept-datetime", "Link": ", ".join(links)}

    def memento_headers(self, memento: Memento) -> dict[str, str]:
        index = next(i for i, m in enumerate(self.timemap.mementos) if m.number == memento.number)
        links = [
            *self._context(),
            f'<{self.timemap_url}>; rel="timemap"; type="{LINK_FORMAT}"',
            self._memento_link(memento, self._rel(index)),
        ]
        return {"Memento-Datetime": http_date(memento.archived_at), "Link": ", ".join(links)}
