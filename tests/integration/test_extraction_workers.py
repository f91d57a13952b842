"""Extraction runs in worker processes: capped in size and time, and a failure loses nothing."""

from __future__ import annotations

import time
from pathlib import Path

from archive.extract import (
    ExtractionLimits,
    ProcessExtractor,
    decode_text,
    extract_bytes,
    has_extractor,
    media_kind,
)
from archive.extract.model import Extraction
from tests.conftest import shared_path


def _slow(path: str, media_type: str) -> Extraction:
    time.sleep(30)
    return Extraction(text="never")


def _crash(path: str, media_type: str) -> Extraction:
    raise RuntimeError("parser blew up")


def _echo(path: str, media_type: str) -> Extraction:
    return Extraction(text=Path(path).read_text(), problems=[media_type])


def test_media_kinds() -> None:
    assert media_kind('Text/HTML; Charset="ISO-8859-1"') == ("text/html", "iso-8859-1")
    assert has_extractor("text/plain; charset=utf-8")
    assert has_extractor("application/xhtml+xml")
    assert has_extractor("application/pdf")
    assert not has_extractor("application/zip")
    assert decode_text("café".encode("latin-1"), "iso-8859-1") == "café"
    assert decode_text(b"\xff ok", None) == "\ufffd ok"
    assert decode_text(b"ok", "no-such-charset") == "ok"


def test_a_worker_does_the_work(tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("hello")
    extractor = ProcessExtractor(ExtractionLimits(timeout=30), work=_echo)
    try:
        assert extractor.extract(document, "text/plain").text == "hello"
    finally:
        extractor.close()


def test_slow_documents_are_stopped_and_the_pool_goes_on(tmp_path: Path) -> None:
    document = tmp_path / "doc.html"
    document.write_text("<html></html>")
    extractor = ProcessExtractor(ExtractionLimits(timeout=1), work=_slow)
    try:
        started = time.monotonic()
        result = extractor.extract(document, "text/html")
        assert time.monotonic() - started < 10
        assert result.text is None
        assert result.problems == ["not parsed: it took over 1 s"]
        extractor._work = _echo  # the same pool serves the next document
        assert extractor.extract(document, "text/html").text == "<html></html>"
    finally:
        extractor.close()


def test_a_crashing_parser_is_a_problem_not_an_error(tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    document.write_text("x")
    extractor = ProcessExtractor(work=_crash)
    try:
        result = extractor.extract(document, "text/plain")
        assert result.problems == ["not parsed: RuntimeError: parser blew up"]
    finally:
        extractor.close()


def test_oversized_and_unreadable_media_are_not_parsed(tmp_path: Path) -> None:
    document = tmp_path / "big.html"
    document.write_bytes(b"<p>" * 400)
    extractor = ProcessExtractor(ExtractionLimits(max_bytes=1000), work=_crash)
    try:
        assert extractor.extract(document, "text/html").problems == [
            "not parsed: 1200 bytes is over the 1000-byte limit"
        ]
        assert extractor.extract(document, "application/zip") == Extraction()
    finally:
        extractor.close()


def test_nul_characters_never_reach_the_database() -> None:
    result = extract_bytes(b"Title with \x00 inside\n\nBy Jane Doe\n\nBody \x00 text.", "text/plain")
    assert result.text is not None
    assert "\x00" not in result.text
    assert len(result.text) == len("Title with \x00 inside\n\nBy Jane Doe\n\nBody \x00 text.")
    assert result.title is None or "\x00" not in result.title.value


def test_a_photo_is_read_under_the_same_caps() -> None:
    """c2pa holds a photo whole to check its hashes, so photos are not exempt from the size cap."""
    [photo] = shared_path("corpus", "media").glob("dev-img10*.jpg")
    extractor = ProcessExtractor(ExtractionLimits(max_bytes=1000, timeout=60))
    roomy = ProcessExtractor(ExtractionLimits(timeout=60))
    try:
        refused = extractor.extract(photo, "image/jpeg")
        read = roomy.extract(photo, "image/jpeg")
    finally:
        extractor.close()
        roomy.close()

    assert refused.problems == [f"not parsed: {photo.stat().st_size} bytes is over the 1000-byte limit"]
    assert [credit.name for credit in read.credits if credit.role == "photographer"] == ["Phil Harvey"]
