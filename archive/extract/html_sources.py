"""Each source of a page's metadata, read on its own: schema.org (JSON-LD, microdata), Open Graph and other
<meta> tags, trafilatura's metadata, htmldate, and the parsed tree.

Every reader catches its library's exceptions and reports them as a problem, so one broken source (a
malformed JSON-LD block, say) costs only what it would have said. Parsing fetches nothing: lxml runs with
`no_network=True` and HTML parsing resolves no external entities; extruct is never asked for RDFa, whose
library may fetch vocabularies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dateparser
import extruct
import htmldate
import lxml.html
import trafilatura
from trafilatura.utils import detect_encoding

from archive.extract.html_names import clean_text

HTML_PARSER = lxml.html.HTMLParser(no_network=True, remove_comments=False, remove_pis=True, huge_tree=False)
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# Characters lxml refuses in a string (NUL and the other C0 controls but tab and newlines).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")
_BARE_MIDNIGHT = re.compile(r"[T ]00:00(?::00)?$")  # htmldate's way of writing a date that has no time
_SCHEMA_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?schema\.org/")

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
        "ReviewNewsArticle", "BackgroundNewsArticle", "AskPublicNewsArticle", "SatiricalArticle",
        "BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "DiscussionForumPosting", "TechArticle",
        "ScholarlyArticle", "Report", "AdvertiserContentArticle", "Review",
    }
)  # fmt: skip
PAGE_TYPES = frozenset({"WebPage", "ItemPage", "CollectionPage", "AboutPage", "ProfilePage", "QAPage"})

Node = dict[str, Any]


def decode_html(data: bytes) -> str:
    """The page as text: UTF-8 when it is valid UTF-8, else the encoding trafilatura's detector guesses."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
        for guessed in detect_encoding(data):
            try:
                text = data.decode(guessed)
                break
            except (LookupError, UnicodeDecodeError):
                continue
        else:
            text = data.decode("utf-8", errors="replace")
    # An XML declaration in a str makes lxml refuse it, and control characters are not text.
    return _CONTROL_CHARACTERS.sub("", _XML_DECLARATION.sub("", text, count=1))


def node_types(node: Node) -> list[str]:
    """`{"@type": ["http://schema.org/NewsArticle"]}` -> `["NewsArticle"]`."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [_SCHEMA_PREFIX.sub("", value) for value in values if isinstance(value, str)]


def _walk_nodes(value: Any) -> Iterator[Node]:
    """Every object in a JSON-LD/microdata document, @graph members and nested objects included."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


@dataclass
class SchemaOrg:
    """The schema.org objects of one syntax (JSON-LD or microdata), with `@id` references resolvable."""

    syntax: str  # "jsonld" or "microdata": the prefix of rule ids
    nodes: list[Node] = field(default_factory=list)
    by_id: dict[str, Node] = field(default_factory=dict)

    @classmethod
    def from_items(cls, syntax: str, items: list[Any]) -> SchemaOrg:
        schema = cls(syntax=syntax)
        for node in _walk_nodes(items):
            if not node_types(node) and "@id" not in node:
                continue
            schema.nodes.append(node)
            node_id = node.get("@id")
            # A bare {"@id": ...} is a reference; the object with the most to say is the definition.
            if isinstance(node_id, str) and len(node) > len(schema.by_id.get(node_id, {})):
                schema.by_id[node_id] = node
        return schema

    def resolve(self, value: Any) -> Any:
        """A reference such as `{"@id": "#/schema/person/1"}` replaced by the object it names."""
        if isinstance(value, dict) and isinstance(value.get("@id"), str) and len(value) <= 2:
            return self.by_id.get(value["@id"], value)
        return value

    def of_types(self, types: frozenset[str]) -> list[Node]:
        return [node for node in self.nodes if any(kind in types for kind in node_types(node))]

    def articles(self) -> list[Node]:
        """Article-like objects (NewsArticle, BlogPosting, ...), then web pages as the weaker fallback."""
        return self.of_types(ARTICLE_TYPES) + self.of_types(PAGE_TYPES)


@dataclass
class PageSources:
    """What every source says about one page, and what went wrong reading them."""

    html: str
    url: str | None
    tree: Any = None  # the lxml document, when the page parsed
    jsonld: SchemaOrg = field(default_factory=lambda: SchemaOrg("jsonld"))
    microdata: SchemaOrg = field(default_factory=lambda: SchemaOrg("microdata"))
    opengraph: dict[str, str] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)  # name/property/itemprop -> contents
    trafilatura_metadata: Any = None  # trafilatura.settings.Document
    htmldate_original: str | None = None
    htmldate_updated: str | None = None
    problems: list[str] = field(default_factory=list)

    def first_meta(self, *keys: str) -> tuple[str, str] | None:
        """The first non-empty value among the <meta> keys, with the key it came from."""
        for key in keys:
            for value in self.meta.get(key, []):
                cleaned = clean_text(value)
                if cleaned:
                    return key, cleaned
        return None


def _problem(sources: PageSources, what: str, exc: BaseException) -> None:
    sources.problems.append(f"{what}: {type(exc).__name__}: {exc}"[:300])


def parse_tree(sources: PageSources) -> None:
    try:
        sources.tree = lxml.html.document_fromstring(sources.html, parser=HTML_PARSER)
    except Exception as exc:  # lxml raises ParserError/ValueError on empty or unparsable input
        _problem(sources, "HTML could not be parsed", exc)


def read_meta_tags(sources: PageSources) -> None:
    if sources.tree is None:
        return
    for meta in sources.tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content is not None:
            sources.meta.setdefault(key.strip().lower(), []).append(content)


def read_structured_data(sources: PageSources) -> None:
    """JSON-LD, microdata and Open Graph through extruct, one syntax at a time: a failure stays local."""
    if sources.tree is None:
        return
    for syntax in ("json-ld", "microdata", "opengraph"):
        try:
            items = extruct.extract(
                sources.tree, base_url=sources.url, syntaxes=[syntax], uniform=True, errors="strict"
            ).get(syntax, [])
        except Exception as exc:  # extruct raises whatever its JSON/microdata parsers raise
            _problem(sources, f"{syntax} could not be read", exc)
            continue
        if syntax == "json-ld":
            sources.jsonld = SchemaOrg.from_items("jsonld", items)
        elif syntax == "microdata":
            sources.microdata = SchemaOrg.from_items("microdata", items)
        else:
            for item in items:
                for key, value in item.items():
                    if isinstance(value, str) and not key.startswith("@"):
                        sources.opengraph.setdefault(key, value)


def read_trafilatura_metadata(sources: PageSources) -> None:
    try:
        sources.trafilatura_metadata = trafilatura.extract_metadata(sources.html, default_url=sources.url)
    except Exception as exc:
        _problem(sources, "trafilatura metadata failed", exc)


def read_htmldate(sources: PageSources) -> None:
    """The original (publication) date and the latest date htmldate finds, searched on the string only."""
    for original in (True, False):
        try:
            found = htmldate.find_date(
                sources.html, original_date=original, outputformat=HTMLDATE_FORMAT, extensive_search=True
            )
        except Exception as exc:
            _problem(sources, "htmldate failed", exc)
            return
        if original:
            sources.htmldate_original = found
        else:
            sources.htmldate_updated = found


def read_sources(html: str, url: str | None) -> PageSources:
    sources = PageSources(html=html, url=url)
    parse_tree(sources)
    read_meta_tags(sources)
    read_structured_data(sources)
    read_trafilatura_metadata(sources)
    read_htmldate(sources)
    return sources


def parse_datetime(value: Any) -> tuple[datetime, bool] | None:
    """An ISO 8601 (or looser) date as a timezone-aware datetime, and whether it carried a time of day.

    A date alone is midnight UTC; a time without an offset is taken as UTC, the convention of the sites that
    omit it (the offset is unknown, and UTC is at most a few hours off).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = dateparser.parse(text, settings={"STRICT_PARSING": True})
    if parsed is None:
        return None
    has_time = bool(_TIME_OF_DAY.search(text)) and not _BARE_MIDNIGHT.search(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed, has_time


# --- one field of one source ------------------------------------------------------------------------------


def kind_name(node: Node) -> str:
    return next(iter(node_types(node)), "Thing")


def text_value(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    if isinstance(value, str) and clean_text(value):
        return clean_text(value)
    return None


def schema_field(
    sources: PageSources, field_name: str, types: frozenset[str] = ARTICLE_TYPES
) -> tuple[str, str] | None:
    """The first article object's `field_name` (JSON-LD before microdata), with its rule id."""
    for schema in (sources.jsonld, sources.microdata):
        for node in schema.of_types(types):
            value = text_value(node.get(field_name))
            if value:
                return value, f"{schema.syntax}.{kind_name(node)}.{field_name}"
    return None


def trafilatura_field(sources: PageSources, field_name: str) -> tuple[str, str] | None:
    value = text_value(getattr(sources.trafilatura_metadata, field_name, None))
    return (value, f"trafilatura.{field_name}") if value else None
