"""Reading metadata out of documents, chosen by media type, in worker processes with a time cap.

A hostile or pathological page can cost at most `timeout` seconds of a worker (which is then replaced) and
is never parsed past `max_bytes`; the parsers are set up to fetch nothing and resolve no external entities.
A document that cannot be read is still archived: its `Extraction` is empty but for `problems`.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import re
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from pebble import ProcessPool

from archive.domain.credits import CreditRole
from archive.extract.model import Extraction, FoundCredit
from archive.extract.preview import Preview

T = TypeVar("T")
_SURROGATE = re.compile("[\ud800-\udfff]")
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PDF_TYPES = frozenset({"application/pdf"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/tiff", "image/png", "image/webp", "image/heic", "image/heif"})


def media_kind(media_type: str) -> tuple[str, str | None]:
    """`"text/plain; charset=ISO-8859-1"` -> `("text/plain", "iso-8859-1")`."""
    kind, _, params = media_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return kind.strip().lower(), charset


def has_extractor(media_type: str) -> bool:
    return media_kind(media_type)[0] in TEXT_TYPES | HTML_TYPES | PDF_TYPES | IMAGE_TYPES


def decode_text(data: bytes, charset: str | None) -> str:
    """The text of a plain-text document: its declared charset, else UTF-8; undecodable bytes replaced."""
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("utf-8", errors="replace")


def extract_bytes(data: bytes, media_type: str) -> Extraction:
    """Extraction in this process (what each worker runs)."""
    kind, charset = media_kind(media_type)
    if kind in TEXT_TYPES:
        from archive.extract.text import extract_text  # noqa: PLC0415  (workers import on demand)

        return without_nul(with_language(extract_text(decode_text(data, charset))))
    if kind in HTML_TYPES:
        from archive.extract.html import extract_html  # noqa: PLC0415

        return without_nul(with_language(extract_html(data)))
    if kind in PDF_TYPES:
        from archive.extract.pdf import extract_pdf  # noqa: PLC0415

        return without_nul(with_language(extract_pdf(data)))
    return Extraction()


def with_language(extraction: Extraction) -> Extraction:
    """The extraction with its text's language identified, when the document declares none."""
    if extraction.language is None:
        from archive.extract.language import detect_language  # noqa: PLC0415

        extraction.language = detect_language(extraction.text)
    return extraction


def without_nul(value: T) -> T:
    """Every NUL character and lone surrogate of every string found made U+FFFD, one for one, so that
    offsets hold.

    Databases refuse NUL in text (PostgreSQL does) and cannot encode a surrogate (a PDF's font map may
    give one), and no title or name needs either.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", "\ufffd"))  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(without_nul(item) for item in value)
    if isinstance(value, dict):
        return {key: without_nul(item) for key, item in value.items()}  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: without_nul(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def extract_path(path: Path, media_type: str) -> Extraction:
    """Extraction of a file in this process: a photo read from the file (by exiftool), the rest as bytes."""
    from archive.extract import preview  # noqa: PLC0415  (workers import on demand)

    kind = media_kind(media_type)[0]
    if kind in IMAGE_TYPES:
        from archive.extract.image import extract_image  # noqa: PLC0415

        photo = with_content_credentials(extract_image(path), path, "photographer")
        return without_nul(with_preview(photo, preview.image_preview, path))
    if kind in PDF_TYPES:
        pdf = with_content_credentials(extract_bytes(path.read_bytes(), media_type), path, "author")
        return without_nul(with_preview(pdf, preview.pdf_preview, path))
    return extract_bytes(path.read_bytes(), media_type)


def with_preview(extraction: Extraction, make: Callable[[Path], Preview], path: Path) -> Extraction:
    """The extraction with a preview of the file, or with the problem that kept one from being made."""
    from archive.extract.preview import PreviewFailed  # noqa: PLC0415

    try:
        extraction.preview = make(path)
    except PreviewFailed as exc:
        extraction.problems.append(str(exc))
    except Exception as exc:  # a renderer's own failure costs the preview, never what was read already
        extraction.problems.append(f"no preview: {type(exc).__name__}"[:300])
    return extraction


def with_content_credentials(extraction: Extraction, path: Path, role: CreditRole) -> Extraction:
    """The file's C2PA manifest laid over what else it says: its state, and its CreativeWork authors as
    creators when the file's own metadata names none."""
    from archive.extract.content_credentials import read_content_credentials  # noqa: PLC0415

    credentials, problem = read_content_credentials(path)
    if problem is not None:
        extraction.problems.append(problem)
    if credentials is None:
        return extraction
    extraction.content_credentials = credentials.as_json()
    if not any(credit.role == role for credit in extraction.credits):
        authors = [
            FoundCredit(name, role, "person", "c2pa.author", field="C2PA:CreativeWork.author")
            for name in credentials.authors
        ]
        extraction.credits = [*authors, *extraction.credits]
    return extraction


def _configure_worker(trust_anchors: str | None) -> None:
    from archive.extract.content_credentials import configure_trust  # noqa: PLC0415

    configure_trust(trust_anchors)


def _extract_file(path: str, media_type: str) -> Extraction:
    return extract_path(Path(path), media_type)


class Extractor(Protocol):
    def extract(self, path: Path, media_type: str) -> Extraction: ...


@dataclass(frozen=True)
class ExtractionLimits:
    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 20.0
    workers: int = 1
    # Documents up to this size go to a lane of their own (one more worker), never behind large ones;
    # 0: one lane for all.
    small_bytes: int = 0


class ProcessExtractor:
    """Runs each extraction in a worker process of a pool started on first use: `limits.workers` of them
    for documents, and one more for documents up to `limits.small_bytes`, so that a short text is read at
    once however many slow pages are queued. Each document has its own deadline (`limits.timeout`, from
    when its worker starts on it); one that overruns costs only its worker, which is replaced.
    """

    def __init__(
        self,
        limits: ExtractionLimits | None = None,
        work: Callable[[str, str], Extraction] = _extract_file,
        *,
        trust_anchors: str | None = None,
    ) -> None:
        """`trust_anchors`: PEM text of the C2PA trust list each worker validates signers against."""
        self.limits = limits or ExtractionLimits()
        self._work = work
        self._trust_anchors = trust_anchors
        self._pools: dict[str, ProcessPool] = {}
        self._lock = threading.Lock()

    def _workers(self, size: int) -> ProcessPool:
        lane = "small" if size <= self.limits.small_bytes else "main"
        with self._lock:
            if lane not in self._pools:
                # forkserver: a worker never inherits the threads and locks of the server process.
                context = multiprocessing.get_context("forkserver")
                self._pools[lane] = ProcessPool(
                    max_workers=1 if lane == "small" else self.limits.workers,
                    context=context,
                    initializer=_configure_worker,
                    initargs=(self._trust_anchors,),
                )
            return self._pools[lane]

    def extract(self, path: Path, media_type: str) -> Extraction:
        if not has_extractor(media_type):
            return Extraction()
        size = path.stat().st_size
        if size > self.limits.max_bytes:  # c2pa, pypdf and the HTML parsers hold a file whole
            return Extraction(
                problems=[f"not parsed: {size} bytes is over the {self.limits.max_bytes}-byte limit"]
            )
        future = self._workers(size).schedule(
            self._work, args=(str(path), media_type), timeout=self.limits.timeout
        )
        try:
            result = future.result()
        except FutureTimeout:
            return Extraction(problems=[f"not parsed: it took over {self.limits.timeout:g} s"])
        except Exception as exc:  # a parser's failure must not lose the upload
            return Extraction(problems=[f"not parsed: {type(exc).__name__}: {exc}"[:500]])
        assert isinstance(result, Extraction)
        return result

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.stop()  # type: ignore[no-untyped-call]
                pool.join()
            self._pools.clear()
