"""The WARC of a capture (ISO 28500, WARC/1.1, written by warcio, uncompressed): a `warcinfo` record, then for
every hop (redirects first) a `request` and a `response` record with their HTTP headers as sent and received
and the body as it came over the wire (warcio adds `WARC-Payload-Digest` and `WARC-Block-Digest`), and last a
`metadata` record that names the BLAKE3 and SHA-256 of the body the archive kept as the version."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import archive
from archive.capture.fetch import Exchange, Head, Hop
from archive.digests import Digests, SpooledUpload, UploadSpool

WARC_MEDIA_TYPE = "application/warc"


class _SpoolOut:
    """The file-like end warcio writes to: each write hashed and spooled in the same pass."""

    def __init__(self, spool: UploadSpool) -> None:
        self.spool = spool

    def write(self, data: bytes) -> int:
        self.spool.write(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


def write_warc(exchange: Exchange, body: Digests, spool_dir: Path | None) -> SpooledUpload:
    """The capture's WARC, spooled and hashed, ready to be stored as a blob of its own."""
    with UploadSpool(spool_dir, None) as spool:
        writer = WARCWriter(_SpoolOut(spool), gzip=False, warc_version="1.1")
        writer.write_record(
            writer.create_warcinfo_record(
                None,
                {
                    "software": f"archive/{archive.__version__} (warcio)",
                    "format": "WARC File Format 1.1",
                    "isPartOf": exchange.url,
                },
            )
        )
        response_id = ""
        for hop in exchange.hops:
            response_id = _write_hop(writer, hop)
        writer.write_record(_metadata_record(writer, exchange, body, response_id))
        return spool.finish()


def _write_hop(writer: WARCWriter, hop: Hop) -> str:
    request = writer.create_warc_record(
        hop.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=_status_and_headers(hop.request, is_request=True),
        warc_headers_dict=_date_and_ip(writer, hop),
    )
    with hop.raw.open() as raw:
        response = writer.create_warc_record(
            hop.url,
            "response",
            payload=raw,
            length=hop.raw.digests.size,
            http_headers=_status_and_headers(hop.response, is_request=False),
            warc_headers_dict=_date_and_ip(writer, hop),
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        writer.write_record(response)
    writer.write_record(request)
    return str(response.rec_headers.get_header("WARC-Record-ID"))


def _metadata_record(writer: WARCWriter, exchange: Exchange, body: Digests, response_id: str) -> object:
    fields = (
        f"blake3: {body.blake3}\r\n"
        f"sha256: {body.sha256}\r\n"
        f"size: {body.size}\r\n"
        f"media-type: {exchange.media_type}\r\n"
        f"final-url: {exchange.final.url}\r\n"
    ).encode()
    return writer.create_warc_record(
        exchange.final.url,
        "metadata",
        payload=io.BytesIO(fields),
        length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Concurrent-To": response_id},
    )


def _date_and_ip(writer: WARCWriter, hop: Hop) -> dict[str, str]:
    stamped = {"WARC-Date": hop.started_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    if hop.peer:
        stamped["WARC-IP-Address"] = hop.peer
    return stamped


def _status_and_headers(head: Head, *, is_request: bool) -> StatusAndHeaders:
    if is_request:
        return StatusAndHeaders(head.line, head.headers, is_http_request=True)
    protocol, _, status = head.line.partition(" ")
    return StatusAndHeaders(status, head.headers, protocol=protocol)


def final_response(path: Path) -> tuple[str, str]:
    """The target URI and WARC-Date of the last response record of a WARC the archive wrote: the page a
    capture kept."""
    from warcio.archiveiterator import ArchiveIterator  # noqa: PLC0415

    found = ("", "")
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                headers = record.rec_headers
                found = (str(headers.get_header("WARC-Target-URI")), str(headers.get_header("WARC-Date")))
    return found


def read_records(stream: BinaryIO) -> list[tuple[str, dict[str, str], bytes]]:
    """Each record's type, WARC headers and content (the HTTP payload for requests and responses): for
    checking a WARC the archive wrote."""
    from warcio.archiveiterator import ArchiveIterator  # noqa: PLC0415

    records = []
    for record in ArchiveIterator(stream):
        headers = dict(record.rec_headers.headers)
        records.append((record.rec_type, headers, record.content_stream().read()))
    return records
