"""Previews for the web interface: a photo scaled down with Pillow, a PDF's first page drawn by PDFium.

A preview is a JPEG at most `PREVIEW_SIDE` pixels on its longer side, made in the extraction worker (under
its time cap) and stored as a blob derived from the original: audited like any other blob, kept by the
collector while it is referenced, named in exports as derived. It is never the archived file: the archived
bytes are served as they came.

Hostile files: Pillow refuses an image over `MAX_PIXELS` pixels before decoding it (a decompression bomb
states a huge size in a few bytes), and a PDF page is drawn at the scale that fits the preview, whatever
size its media box claims. A file that cannot be drawn gets no preview and a problem saying why.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage

PREVIEW_SIDE = 480
PREVIEW_MEDIA_TYPE = "image/jpeg"
JPEG_QUALITY = 80
# 64 megapixels: larger than any camera the archive receives photos from, small enough that decoding one
# stays within a worker's memory. Pillow raises DecompressionBombError past twice its limit and warns past
# it; both are refusals here.
MAX_PIXELS = 64_000_000
# A PDF page larger than this (in points, on either side) is not drawn: PDF's own limit is 14,400.
MAX_PAGE_POINTS = 14_400.0


@dataclass(frozen=True)
class Preview:
    """A preview's bytes and how it was made (`made_by` names the library and its version)."""

    data: bytes
    media_type: str
    width: int
    height: int
    made_by: str


class PreviewFailed(Exception):
    """The file could not be drawn; the message says why, for `extraction_problems`."""


def image_preview(path: Path) -> Preview:
    """A photo scaled to fit the preview, turned upright as its EXIF orientation says."""
    import PIL  # noqa: PLC0415  (workers import on demand)
    from PIL import Image, ImageOps, UnidentifiedImageError  # noqa: PLC0415

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.draft("RGB", (PREVIEW_SIDE, PREVIEW_SIDE))  # JPEG: decode at a reduced scale
                image.seek(0)
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
                return _jpeg(upright, f"Pillow {PIL.__version__}")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PreviewFailed(f"no preview: the image is over {MAX_PIXELS} pixels ({exc})"[:300]) from None
    except UnidentifiedImageError:
        raise PreviewFailed(
            "no preview: Pillow could not decode it: UnidentifiedImageError (not an image format it reads)"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # what Pillow raises for damaged files
        reason = str(exc).replace(str(path), "the file")  # the worker's spool path means nothing to a reader
        raise PreviewFailed(f"no preview: Pillow could not decode it: {reason}"[:300]) from None


def pdf_preview(path: Path) -> Preview:
    """The first page drawn at the scale that fits the preview."""
    import pypdfium2 as pdfium  # noqa: PLC0415
    import pypdfium2.version  # noqa: PLC0415

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        reason = str(exc).replace(str(path), "the file")
        raise PreviewFailed(f"no preview: PDFium could not open it: {reason}"[:300]) from None
    try:
        if len(document) == 0:
            raise PreviewFailed("no preview: the PDF has no pages")
        page = document[0]
        width, height = page.get_size()
        if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
            raise PreviewFailed(f"no preview: its first page claims {width:g} by {height:g} points")
        scale = PREVIEW_SIDE / max(width, height)
        bitmap = page.render(scale=scale, may_draw_forms=False)
        made_by = f"pypdfium2 {pypdfium2.version.PYPDFIUM_INFO} (PDFium {pypdfium2.version.PDFIUM_INFO})"
        return _jpeg(bitmap.to_pil(), made_by)
    except pdfium.PdfiumError as exc:
        raise PreviewFailed(f"no preview: PDFium could not draw its first page: {exc}"[:300]) from None
    finally:
        document.close()


def _jpeg(image: PilImage, made_by: str) -> Preview:
    if image.mode not in ("RGB", "L"):
        image = _flattened(image)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    width, height = image.size
    return Preview(out.getvalue(), PREVIEW_MEDIA_TYPE, width, height, made_by)


def _flattened(image: PilImage) -> PilImage:
    """An image with transparency or a palette as RGB on white (JPEG has no alpha)."""
    from PIL import Image  # noqa: PLC0415

    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
