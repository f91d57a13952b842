"""Reading a PDF: its Info dictionary and XMP packet, and the text of its first pages.

pypdf reads the file (an encrypted one with the empty password when that opens it; otherwise only the
problem is recorded). The first pages' text is the version's text and goes through the plain-text rules,
so a printed byline is found with its span. Embedded values are taken when they are values (not a
placeholder such as `ARRAY(0x…)`, `No Title` or `User: Windows NT/95/98 User`), each with the field it came
from; a printed byline wins over a metadata author. Dates are read strictly (`pdf_dates`). Parsing fetches
nothing and resolves no XML entity; the worker's time and size caps bound the rest.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field

import lxml.etree
from pypdf import PdfReader

from archive.extract.model import Extraction, Found, FoundCredit, FoundDate
from archive.extract.pdf_byline import printed_byline
from archive.extract.pdf_dates import as_datetime, parse_pdf_date, parse_xmp_date
from archive.extract.placeholders import is_mangled, is_placeholder
from archive.extract.text import extract_text
from archive.extract.text_names import agent_kind
from archive.names import normalize_name

TEXT_PAGES = 3
MAX_XMP_BYTES = 1024 * 1024  # a metadata packet is a few kilobytes; a larger one is not parsed
_XMP_PARSER = lxml.etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_comments=True
)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # pypdf narrates every font it cannot map


@dataclass
class _Embedded:
    """What the Info dictionary and the XMP packet hold, as stored (strings)."""

    info: dict[str, str] = field(default_factory=dict)
    creators: list[str] = field(default_factory=list)  # XMP dc:creator, in order
    xmp: dict[str, str] = field(default_factory=dict)  # dc:title, dc:rights, xmp:CreateDate …


def extract_pdf(data: bytes) -> Extraction:
    problems: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return Extraction(problems=["the PDF is encrypted with a password: only its bytes are kept"])
            embedded = _embedded(reader, problems)
            text = _first_pages_text(reader, problems)
    except Exception as exc:  # a damaged or hostile file raises anything (pypdf asserts, leaves filters out)
        return Extraction(problems=[f"the PDF cannot be read: {type(exc).__name__}: {exc}"[:300]])
    extraction = extract_text(text) if text.strip() else Extraction(text=text or None)
    extraction.problems = [p for p in extraction.problems if p != "the text is empty"] + problems
    _describe(extraction, embedded)
    return extraction


def _embedded(reader: PdfReader, problems: list[str]) -> _Embedded:
    embedded = _Embedded()
    try:
        metadata = reader.metadata
        items = metadata.items() if metadata is not None else []
        resolved = (
            (key, value.get_object() if hasattr(value, "get_object") else value) for key, value in items
        )
        embedded.info = {
            str(key).lstrip("/"): str(value) for key, value in resolved if isinstance(value, str)
        }
    except Exception as exc:  # as above: whatever the damage, the rest of the file is still read
        problems.append(f"the PDF's Info dictionary cannot be read: {type(exc).__name__}: {exc}"[:200])
    try:
        stream = reader.root_object.get("/Metadata")
        if stream is not None:
            _read_xmp(stream.get_object().get_data(), embedded)
    except lxml.etree.XMLSyntaxError as exc:
        problems.append(f"the PDF's XMP packet is not well-formed XML: {exc}"[:200])
    except Exception as exc:  # as above
        problems.append(f"the PDF's XMP packet cannot be read: {type(exc).__name__}: {exc}"[:200])
    return embedded


def _read_xmp(packet: bytes, embedded: _Embedded) -> None:
    if len(packet) > MAX_XMP_BYTES:
        raise ValueError(f"{len(packet)} bytes is over the {MAX_XMP_BYTES}-byte limit of a packet read")
    tree = lxml.etree.fromstring(packet.strip(), _XMP_PARSER)
    embedded.creators = [li.text.strip() for li in tree.iterfind(".//dc:creator//rdf:li", _NS) if li.text]
    for name in ("title", "rights", "description"):
        value = _alternative(tree, f"dc:{name}")
        if value:
            embedded.xmp[f"dc:{name}"] = value
    for name in ("CreateDate", "ModifyDate"):
        value = _simple(tree, f"xmp:{name}")
        if value:
            embedded.xmp[f"xmp:{name}"] = value


def _alternative(tree: lxml.etree._Element, tag: str) -> str | None:
    """A language alternative's `x-default` item (else its first)."""
    items = list(tree.iterfind(f".//{tag}//rdf:li", _NS))
    chosen = next(
        (li for li in items if li.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"), None
    )
    chosen = chosen if chosen is not None else (items[0] if items else None)
    return chosen.text.strip() if chosen is not None and chosen.text else None


def _simple(tree: lxml.etree._Element, tag: str) -> str | None:
    """A simple property, written as an element or as an attribute of its rdf:Description."""
    prefix, name = tag.split(":")
    element = tree.find(f".//{tag}", _NS)
    if element is not None and element.text:
        return str(element.text).strip()
    for description in tree.iterfind(".//rdf:Description", _NS):
        value = description.get(f"{{{_NS[prefix]}}}{name}")
        if value:
            return str(value).strip()
    return None


def _first_pages_text(reader: PdfReader, problems: list[str]) -> str:
    pages: list[str] = []
    for number, page in enumerate(reader.pages[:TEXT_PAGES], start=1):
        try:
            pages.append(page.extract_text() or "")
        except Exception as exc:  # as above: one page's damage loses only that page's text
            problems.append(f"the text of page {number} cannot be read: {type(exc).__name__}"[:200])
    return "\n\n".join(pages).replace("\x00", "")


def _describe(extraction: Extraction, embedded: _Embedded) -> None:
    """Lay the embedded values over what the text rules found."""
    titles = _values(
        [("dc:title", "XMP-dc:Title", embedded.xmp), ("Title", "PDF:Title", embedded.info)], "pdf.title"
    )
    title = titles[0] if titles else None
    if title is not None:
        extraction.title = title
        extraction.keep_alternatives("title", [title.value], titles[1:])
    rights = _values([("dc:rights", "XMP-dc:Rights", embedded.xmp)], "pdf.rights")
    extraction.rights = rights[0] if rights else extraction.rights
    # An organisation is read as a printed byline only where the metadata holds an author it mangled.
    unreadable = any(is_mangled(name) for name in [*embedded.creators, embedded.info.get("Author", "")])
    text = extraction.text or ""
    byline = printed_byline(text, title.value if title is not None else None, organisations=unreadable)
    if title is None and byline.title is not None:
        extraction.title = byline.title
    printed = [credit for credit in extraction.credits if credit.role == "author"] or byline.credits
    others = [credit for credit in extraction.credits if credit.role != "author"]
    authors = _authors(embedded, printed)
    extraction.credits = [*authors, *others]
    chosen = {normalize_name(c.name) for c in authors}
    lost = [c for c in [*_metadata_authors(embedded), *printed] if normalize_name(c.name) not in chosen]
    extraction.keep_alternatives("author", [], [Found(c.name, c.rule, c.span, c.field) for c in lost])
    created = _date(embedded, "CreationDate", "xmp:CreateDate")
    if created is not None:
        extraction.date_created = Found(created[0], "pdf.created", field=created[1])
    modified = _date(embedded, "ModDate", "xmp:ModifyDate")
    moment = as_datetime(modified[0]) if modified is not None else None
    if modified is not None and moment is not None:
        extraction.modified_at = FoundDate(moment, "pdf.modified", field=modified[1])


def _authors(embedded: _Embedded, printed: list[FoundCredit]) -> list[FoundCredit]:
    """The printed authors (a byline the text rules found, else the one under the title) when the metadata
    names nobody (or only a placeholder, a tool, a mangled name) or the same people; else the metadata's."""
    listed = _metadata_authors(embedded)
    if not printed:
        return listed
    if not listed or {normalize_name(c.name) for c in listed} & {normalize_name(c.name) for c in printed}:
        return printed
    return listed


def _values(sources: list[tuple[str, str, dict[str, str]]], rule: str) -> list[Found]:
    """Every source's value that is a value, in order of trust (the first is the one chosen)."""
    found: list[Found] = []
    for key, field_name, values in sources:
        value = " ".join(values.get(key, "").split())
        if not is_placeholder(value):
            found.append(Found(value, rule, field=field_name))
    return found


def _metadata_authors(embedded: _Embedded) -> list[FoundCredit]:
    """XMP dc:creator (a list) when it names anyone, else the Info Author; placeholders and mangled names
    (a dropped glyph) are no one."""
    for names, field_name in (
        (embedded.creators, "XMP-dc:Creator"),
        (_split(embedded.info.get("Author")), "PDF:Author"),
    ):
        kept = [" ".join(name.split()) for name in names if not is_placeholder(name) and not is_mangled(name)]
        if kept:
            return [
                FoundCredit(name, "author", agent_kind(name) or "person", "pdf.author", field=field_name)
                for name in kept
            ]
    return []


def _split(author: str | None) -> list[str]:
    """An Info Author names one agent, or several separated by semicolons."""
    return [part.strip() for part in (author or "").split(";") if part.strip()]


def _date(embedded: _Embedded, info_key: str, xmp_key: str) -> tuple[str, str] | None:
    info = parse_pdf_date(embedded.info.get(info_key))
    if info is not None:
        return info, f"PDF:{info_key}"
    xmp = parse_xmp_date(embedded.xmp.get(xmp_key))
    return (xmp, f"XMP-{xmp_key}") if xmp is not None else None
