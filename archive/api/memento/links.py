"""Memento (RFC 7089) in HTTP terms: link-format TimeMaps, TimeGate redirects, and the headers of mementos.

A document's versions are the mementos of its original URL (its `source_url`); each memento's datetime is
when the archive received that version.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote

from fastapi import Request

from archive.api.deps import get_context
from archive.domain.calendar import HTTP_DAY, MONTH_NAMES
from archive.errors import InvalidDatetime
from archive.services.history import Memento, TimeMap
from archive.wire.versions import version_path

LINK_FORMAT = "application/link-format"


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


_HTTP_DATE = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) (" + "|".join(MONTH_NAMES) + r") ([0-9]{4}) "
    r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]) GMT$"
)
# RFC 7089 2.1.1: `Accept-Datetime` is an rfc1123-date, in HTTP's fixed form (RFC 9110 5.6.7's
# IMF-fixdate), in GMT; the day name is not checked against the date (RFC 9110 lets a recipient ignore it).
# The pattern for the OpenAPI document names exactly what `parse_accept_datetime` accepts.
HTTP_DATE_PATTERN = (
    rf"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), {HTTP_DAY} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] GMT$"
)


def parse_accept_datetime(header: str | None) -> datetime | None:
    """The `Accept-Datetime` header, or None when absent; 400 (`InvalidDatetime`) unless it is an
    rfc1123-date naming a day that exists. Read strictly: the standard library's lenient parser would take
    a year 0050 for 2050, an offset for GMT, or a date without seconds."""
    if header is None:
        return None
    match = _HTTP_DATE.match(header.strip())
    try:
        if match is None:
            raise ValueError(header)
        day, month, year, hour, minute, second = match.groups()
        return datetime(
            int(year), MONTH_NAMES.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:
        raise InvalidDatetime(
            f"Accept-Datetime {header[:80]!r} is not an HTTP date such as `Tue, 04 Feb 2025 10:00:00 GMT`"
        ) from None


def as_uri(iri: str) -> str:
    """An IRI as a URI for a `Link` header or a TimeMap (RFC 3987 section 3.1): every character outside
    printable ASCII, every one a URI never holds (`<>"{}|\\^` and the backquote), and the two that
    link-format readers split on (";" and ",", which many split on even inside the angle brackets),
    percent-encoded as UTF-8. A percent sign already encoding something stays as it is."""
    return quote(_LONE_PERCENT.sub("%25", iri), safe=_LINK_SAFE)


# What RFC 3986 allows in a URI, less ";" and ",", the percent sign of an existing escape included.
_LINK_SAFE = "!#$%&'()*+-./:=?@[]_~"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")  # "100%": a percent sign that encodes nothing


class MementoLinks:
    """The URLs of one document's Memento resources, as clients need them: under the archive's public URL
    (`ARCHIVE_PUBLIC_URL`) when it has one, and otherwise relative to the request, never built from the
    request's own Host header (which a client chooses). The original URL is written as a URI."""

    def __init__(self, request: Request, timemap: TimeMap) -> None:
        public_url = get_context(request).settings.public_url
        self.base = public_url.rstrip("/") if public_url else ""
        self.document = timemap.document
        self.timemap = timemap

    @property
    def original(self) -> str | None:
        return as_uri(self.document.source_url) if self.document.source_url else None

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
