"""Previews drawn from photos and PDFs, and hostile files refused with a reason instead of drawn."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from archive.extract.preview import MAX_PIXELS, PREVIEW_SIDE, PreviewFailed, image_preview, pdf_preview


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header states a size its few bytes of data never fill: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def _saved(tmp_path: Path, image: Image.Image, name: str, exif: bytes | None = None) -> Path:
    path = tmp_path / name
    if exif is None:
        image.save(path)
    else:
        image.save(path, exif=exif)
    return path


def test_a_photo_is_scaled_to_fit_and_keeps_its_shape(tmp_path: Path) -> None:
    path = _saved(tmp_path, Image.new("RGB", (2000, 1000), (10, 120, 200)), "wide.jpg")

    preview = image_preview(path)

    shown = Image.open(io.BytesIO(preview.data))
    assert (shown.format, shown.size) == ("JPEG", (PREVIEW_SIDE, PREVIEW_SIDE // 2))
    assert (preview.width, preview.height, preview.media_type) == (480, 240, "image/jpeg")
    assert preview.made_by.startswith("Pillow ")


def test_a_photo_is_turned_upright_as_its_exif_orientation_says(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise: stored landscape, shown portrait
    path = _saved(tmp_path, Image.new("RGB", (800, 400)), "turned.jpg", exif=exif.tobytes())

    preview = image_preview(path)

    assert (preview.width, preview.height) == (240, 480)


def test_transparency_is_laid_on_white(tmp_path: Path) -> None:
    path = _saved(tmp_path, Image.new("RGBA", (40, 40), (0, 0, 0, 0)), "clear.png")

    shown = Image.open(io.BytesIO(image_preview(path).data))

    assert shown.mode == "RGB"
    assert shown.getpixel((20, 20)) == (255, 255, 255)


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (9_000, 9_000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    tmp_path: Path, width: int, height: int
) -> None:
    assert width * height > MAX_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_claiming(width, height))

    with pytest.raises(PreviewFailed, match=r"over 64000000 pixels"):
        image_preview(path)


@pytest.mark.parametrize(
    "data", [b"", b"\xff\xd8\xff\xe0 not a real JPEG", b"GIF89a", b"\x89PNG\r\n\x1a\n" + b"\0" * 40]
)
def test_a_damaged_image_gives_a_reason_not_a_preview(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "damaged.jpg"
    path.write_bytes(data)

    with pytest.raises(PreviewFailed, match=r"^no preview: Pillow could not decode it") as failed:
        image_preview(path)
    assert str(tmp_path) not in str(failed.value)  # the worker's spool path means nothing to a reader


def _pdf(tmp_path: Path, width: float, height: float) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    path = tmp_path / "page.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_a_pdf_preview_is_its_first_page_scaled_to_fit(tmp_path: Path) -> None:
    preview = pdf_preview(_pdf(tmp_path, 612, 792))

    assert (preview.height, preview.width) == (480, round(612 * 480 / 792))
    assert preview.made_by.startswith("pypdfium2 ")


def test_a_page_claiming_to_be_huge_is_not_drawn(tmp_path: Path) -> None:
    with pytest.raises(PreviewFailed, match=r"claims 1e\+06 by 792 points"):
        pdf_preview(_pdf(tmp_path, 1_000_000, 792))


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>", b"not a pdf at all"])
def test_a_damaged_pdf_gives_a_reason_not_a_preview(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(data)

    with pytest.raises(PreviewFailed, match=r"^no preview: PDFium could not") as failed:
        pdf_preview(path)
    assert str(tmp_path) not in str(failed.value)


def test_any_failure_of_a_renderer_costs_the_preview_only(tmp_path: Path) -> None:
    from archive.extract import with_preview  # noqa: PLC0415
    from archive.extract.model import Extraction, Found  # noqa: PLC0415

    def crashing(_: Path) -> object:
        raise RuntimeError("the renderer fell over")

    extraction = with_preview(Extraction(title=Found("Kept", "pdf.title")), crashing, tmp_path)  # type: ignore[arg-type]

    assert (extraction.title, extraction.preview) == (Found("Kept", "pdf.title"), None)
    assert extraction.problems == ["no preview: RuntimeError"]
