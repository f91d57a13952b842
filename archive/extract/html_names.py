"""Names as pages print them: author lists, junk bylines, site names, and photo credit lines.

General rules only: nothing here knows a publisher. A name's kind (person or organisation) is guessed from
its shape (a person's name is two to four capitalised words) and from words that only organisations use
("Press", "Images", "University", ...), including the names of the wire and photo agencies that credit
pictures on every kind of site.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from archive.domain.credits import AgentKind, CreditRole
from archive.names import normalize_name

_SPACES = re.compile(r"\s+")
# "By", and the word bylines open with in the languages the archive receives. Only "By" and a word with its
# colon ("Von:", "Par:", "Av:") are taken as the opening whatever follows; "Von", "Par", "Por", "Door", "Av",
# "Af" and "Yazan" alone only before two capitalised words more ("Von Anna Martel"), since "Yazan" is also a
# given name and "Von der Leyen" a name, and Italian "di" only in lower case ("Di" begins surnames).
_BY_PREFIX = re.compile(
    r"^(?:(?i:(?:written\s+|words\s+|reporting\s+)?by)[:\s]+"
    r"|(?i:von|par|por|door|av|af|yazan|text|texto|texte):\s*"
    r"|(?:Von|VON|von|Par|PAR|par|Por|POR|por|Door|door|Av|Af|Yazan)\s+(?=[A-ZÀ-Þ]\S*\s+[A-ZÀ-Þ])"
    r"|(?i:autor(?:in)?(?:\s*/\s*autor(?:in)?)?|author|auteur)(?::\s*|\s+(?=[A-ZÀ-Þ]))"
    r"|di\s+(?=[A-ZÀ-Þ]))"
)
# "A, B and C", "A; B", "A & B", "A | B", "A/B", "A und B", "A et B", "A og B": the separators of a printed
# author list, its list words in lower case between spaces (a capitalised "And" or "Et" may be part of a
# name, and one-letter words such as Czech "a" or Catalan "i" also join the parts of one name).
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,|\||/|&)\s*|\s+(?:(?i:and)|und|et|og|och|ve|ja|és|и|oraz)\s+")
# Spanish "y" and Italian or Portuguese "e" join names, but also belong inside one ("Ortega y Gasset"):
# they split only between two names of two words or more.
_PARTICLE_SEPARATOR = re.compile(r"\s+(?:y|e)\s+")
# "(obe)": the author's initials after the name; "기자", "記者": the job after a Korean or Japanese name.
_NAME_TAIL = re.compile(r"\s*\([a-zäöü]{2,5}\.?\)$|\s*(?:기자|특파원|記者|特派員)$")
# "et al.": the rest of a list of authors left out.
_ET_AL = re.compile(r"(?:,?\s+et\s+al\.?|,?\s+u\.\s*a\.)\s*$", re.IGNORECASE)
# "Capital Von Jemima Kelly": a section's or a brand's name before a German byline.
_LABELLED_VON = re.compile(r"^\S+\s+(?=(?:Von|VON)\s+[A-ZÀ-Þ]\S*\s+[A-ZÀ-Þ]\S*$)")
# "Sam Jones in Madrid": a dateline glued to the byline.
_DATELINE_SUFFIX = re.compile(r"\s+in\s+[A-Z][\w.'\u2019 -]*$")
_URL_LIKE = re.compile(r"^(?:https?:|www\.)|^[\w.-]+\.(?:com|org|net|co|uk|ca|au|za|in|de|fr)(?:/|$)|@")
_JUNK_BYLINES = frozenset(
    normalize_name(junk)
    for junk in (
        "staff", "staff writer", "staff writers", "staff reporter", "staff reporters", "admin",
        "administrator", "editor", "editors", "editorial", "editorial staff", "editorial team", "web desk",
        "web team", "newsroom", "news desk", "desk", "unknown", "anonymous", "author", "guest",
        "guest author", "contributor", "by", "team", "reporter", "correspondent", "news",
        # the same placeholders in the archive's other languages: the newsroom, "news"
        "redaktion", "nachrichten", "rédaction", "redacción", "redazione", "redactie", "redaksjonen",
        "redaktionen", "redakce", "redakcja", "haber merkezi", "noticias", "notícias", "actualités",
    )
)  # fmt: skip

# Words that make a name an organisation's: agencies, institutions, companies, publications.
_ORGANISATION_WORDS = frozenset(
    [
        "press", "news", "newspaper", "newspapers", "agency", "agencies", "images", "image", "photos",
        "photo", "pictures", "picture", "wire", "wires", "service", "services", "media", "network",
        "networks", "times", "post", "herald", "tribune", "journal", "gazette", "telegraph", "mail",
        "chronicle", "daily", "weekly", "magazine", "radio", "tv", "television", "broadcasting", "channel",
        "studio", "studios", "productions", "films", "university", "college", "school", "institute", "inst",
        "institution", "department", "dept", "ministry", "council", "court", "district", "government",
        "govt", "office", "administration", "association", "foundation", "society", "committee",
        "commission", "company", "co", "inc", "ltd", "llc", "plc", "corp", "corporation", "group", "team",
        "staff", "desk", "bureau", "newsroom", "board", "project", "yearbook", "center", "centre", "museum",
        "library", "archive", "archives", "collection", "police", "army", "navy", "military", "party",
        "union", "club", "federation", "league", "organisation", "organization", "handout", "pool",
        "courtesy", "wikimedia", "commons", "flickr", "instagram", "twitter", "facebook", "youtube",
        "unsplash", "pexels", "reuters", "afp", "ap", "pa", "epa", "aap", "dpa", "xinhua", "ani", "pti",
        "anadolu", "bloomberg", "yonhap", "kyodo", "efe", "ansa", "tass", "upi", "getty", "shutterstock",
        "alamy", "istock", "istockphoto", "nasa", "noaa", "bbc", "cnn", "abc", "cbs", "nbc", "sipa", "zuma",
        "shimbun", "zeitung", "presse", "agentur", "agencia", "agenzia", "keystone", "imago", "scanpix",
        "ritzau", "ntb", "belga", "anp", "lusa", "ddp", "epd",
    ]
)  # fmt: skip
# Lower-case particles inside a person's name ("Luiz Inácio Lula da Silva", "Ahmed bin Ali").
_NAME_PARTICLES = frozenset(
    [
        "de", "da", "di", "del", "della", "der", "den", "van", "von", "ter", "bin", "binti", "bint", "al",
        "el", "la", "le", "du", "dos", "das", "y", "ibn", "ben",
    ]
)  # fmt: skip
_PERSON_TOKEN = re.compile(r"^(?:[A-ZÀ-ÞŁŚŻŹĆŃ][\w'\u2019.-]*|[A-Z]\.)$")
_ACRONYM = re.compile(r"^[A-Z0-9&.]{2,4}$")  # "PA", "GCIS"

# Labels that open a credit line: "Photo: X", "Picture by X", "Image Credits: X", "Image source, X",
# "Credit...X" (the separator may be a colon, "by", an ellipsis, or a comma after "source").
_CREDIT_LABEL = (
    r"(?:(?:photo(?:graph)?s?|pictures?|pics?|images?|illustrations?|graphics?|video)"
    r"(?:\s+credits?)?|credits?|sources?|courtesy(?:\s+of)?|copyright|©)"
)
# The same labels in the other languages the archive receives, always followed by a colon ("Foto: X",
# "Bild: X", "Quelle: X", "Crédit photo : X", "Fuente: X", "Источник: X", "写真 X"): a word such as "Bild"
# is also a name ("BILD 15.05.2023"), so only the colon makes it a label.
FOREIGN_CREDIT_LABEL = (
    r"(?:(?:symbol|archiv|titel|aufmacher|pressebild|presse)?(?:foto|bild)(?:s|er|e)?"
    r"|bildquelle|bildnachweis|bildrechte|fotonachweis|fotograf(?:ie|ía|ia|in)?|quelle|grafik|illustration"
    r"|fot\.?|fotoğraf|imagen|imagem|immagine|fuente|fonte|cr[ée]dits?(?:\s+photos?)?|cr[ée]dito"
    r"|kilde|källa|kuva|zdroj|źródło|kaynak|forrás|фото|фотография|источник|джерело|写真|撮影"
    r"|사진(?:\s*출처)?|图片?|摄影|照片"
    r"|ảnh|nguồn|sumber|picha|mynd|isithombe|umfanekiso|φωτογραφία|φωτο|صورة|تصوير|फोटो|तस्वीर)"
)
_LEADING_LABEL = re.compile(
    rf"^(?:{_CREDIT_LABEL})\s*(?::|\bby\b|…|\.\.\.)\s*"
    rf"|^{FOREIGN_CREDIT_LABEL}\s*[:\uff1a=]\s*"
    r"|^(?:photo|picture|image)\s+source\s*[:,]\s*|^(?:courtesy\s+of|©)\s*|^copyright\s+(?![\d©(])",
    re.IGNORECASE,
)
_SOURCE_LABEL = re.compile(
    r"(?:sources?|quelle|fuente|fonte|kilde|källa|zdroj|źródło|kaynak|forrás|источник|джерело)\s*[:\uff1a]",
    re.IGNORECASE,
)
_VIDEO_CREDIT = re.compile(r"\bvideo\b", re.IGNORECASE)
_ROLE_PHRASE = re.compile(
    r"^(?:(?P<illustration>(?:photo\s+)?illustrations?|graphics?|artwork)|photos?|photographs?|pictures?)"
    r"\s+by\s+",
    re.IGNORECASE,
)
# Separators outside parentheses: "Natl Inst. for Space Research (INPE), Brazil" has two parts.
_CREDIT_SEPARATORS = re.compile(r"\s*(?:/|;|\||,)\s*(?![^()]*\))")
# "Copyright 2024 The AP. All rights reserved": a notice of who holds the rights, not a name.
_RIGHTS_NOTICE = re.compile(r"\ball\s+rights\s+reserved\b|\balle\s+rechte\s+vorbehalten\b", re.IGNORECASE)
# "고영권 기자", "山田太郎記者": a staff reporter's title after the name.
_REPORTER_SUFFIX = re.compile(r"\s*(?:기자|記者|特派員|특파원|통신원)$")
_RIGHTS_PREFIX = re.compile(
    r"^(?:copyright|©|\(c\))\s*(?:\d{4}(?:\s*[-\u2013]\s*\d{4})?\b)?[\s,.]*", re.IGNORECASE
)
_AGENCY_PHOTO_SUFFIX = re.compile(r"\s+photos?$", re.IGNORECASE)  # "AP Photo", not "Panos Pictures"
# Parts of a credit line that name no one: "(AP Photo/Adel Hana, File)", "Handout", "-".
_NOT_AGENTS = frozenset(
    {"file", "files", "handout", "supplied", "stock", "-", "—", "\u2013", "none", "null", "n a"}
)


def clean_text(value: str) -> str:
    """Entities decoded and every run of white space made one space (what JSON-LD and meta values need)."""
    return _SPACES.sub(" ", html.unescape(value)).strip()


def has_byline_prefix(value: str) -> bool:
    """ "By Jane Doe", "von Dr. Max Kolter", "Autorin/Autor Roman Goncharenko": a byline's opening word."""
    return bool(_BY_PREFIX.match(clean_text(value)))


def split_author_names(value: str) -> list[str]:
    """`"By A, B and C"` -> `["A", "B", "C"]`, without a dateline ("Sam Jones in Madrid"); a URL is no one."""
    text = clean_text(value)
    if _URL_LIKE.search(text):
        return []
    names: list[str] = []
    text = _ET_AL.sub("", _LABELLED_VON.sub("", text))
    for part in _AUTHOR_SEPARATORS.split(_BY_PREFIX.sub("", text)):
        for piece in _split_on_particles(part):
            name = _NAME_TAIL.sub("", _DATELINE_SUFFIX.sub("", _BY_PREFIX.sub("", piece)))
            name = name.strip(" .,:;-\u2013—")
            if name:
                names.append(name)
    return names


def split_listed_names(value: str) -> list[str]:
    """A structured name field holding a list ("A und B, C") -> its names; nothing but initials in brackets
    or a job title after a name ("Elena Oberholzer (obe)", "신현주 기자") is taken off it."""
    text = _ET_AL.sub("", clean_text(value))
    parts = [
        _NAME_TAIL.sub("", piece).strip(" .,:;")
        for part in _AUTHOR_SEPARATORS.split(text)
        for piece in _split_on_particles(part)
    ]
    names = [part for part in parts if part]
    # "Doe, Jane" or "Martin Luther King, Jr.": one name written with a comma, kept whole.
    if (
        len(names) == 2
        and "," in text
        and (len(names[1].split()) == 1 or names[1].rstrip(".").lower() in ("jr", "sr"))
    ):
        return [text]
    return names


def _split_on_particles(part: str) -> list[str]:
    pieces = _PARTICLE_SEPARATOR.split(part)
    if len(pieces) > 1 and all(len(piece.split()) >= 2 for piece in pieces):
        return pieces
    return [part]


def is_junk_byline(name: str) -> bool:
    """A URL, an e-mail address, or a placeholder such as "Staff" or "Admin": no one's name."""
    stripped = name.strip()
    return (
        not stripped
        or bool(_URL_LIKE.search(stripped))
        or normalize_name(stripped) in _JUNK_BYLINES
        or not any(ch.isalpha() for ch in stripped)
    )


# "Deutsche Welle (www.dw.com)": a site's name with its host after it.
HOST_IN_PARENTHESES = re.compile(r"\s*\((?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?\)\s*$")


def is_site_name(name: str, site_names: list[str]) -> bool:
    """True when `name` is the publication itself ("Lesotho Times" on lestimes.com), not a writer: the same
    name, or its host's name written another way ("Mdr De", "n-tv NACHRICHTEN", "Deutsche Welle
    (www.dw.com)" on mdr.de, n-tv.de, dw.com)."""
    normalized = normalize_name(name)
    if not normalized:
        return False
    squashed = _squash(normalized)
    for site in site_names:
        site_normalized = normalize_name(HOST_IN_PARENTHESES.sub("", site))
        if not site_normalized:
            continue
        if normalized == site_normalized or normalized.removeprefix("the ") == site_normalized.removeprefix(
            "the "
        ):
            return True
        if _names_host(name, squashed, _squash(site_normalized)):
            return True
    return False


def _squash(normalized: str) -> str:
    return "".join(character for character in normalized if character.isalnum())


def _names_host(name: str, squashed: str, site: str) -> bool:
    if len(site) < 2 or " " in site:
        return False
    if re.search(rf"(?<!\w){re.escape(site)}\.[a-z]{{2,6}}\b", name.casefold().replace("-", "")):
        return True  # "(www.dw.com)"
    words = normalize_name(name).split()
    if len(words) > 1 and words[0] == site and words[1] in _TOP_LEVEL_DOMAINS:
        return True  # "Mediaindonesia Com Developer": the host's name spelled out
    rest = squashed.removeprefix(site)
    if rest == "":
        return len(name.split()) == 1  # "LTO" on lto.de, but "Paul Graham" on paulgraham.com is a person
    return len(site) >= 3 and rest != squashed and rest in _SITE_SUFFIXES and len(name.split()) <= 3


_TOP_LEVEL_DOMAINS = frozenset(
    {"com", "net", "org", "de", "at", "ch", "fr", "es", "it", "nl", "co", "uk", "id"}
)
# What follows a host's name when a site names itself: a top-level domain or a word such as "Nachrichten".
_SITE_SUFFIXES = frozenset(
    {"de", "com", "net", "org", "at", "ch", "fr", "es", "it", "nl", "co", "uk", "news", "nachrichten",
     "online", "aktuell", "digital", "tv", "info", "media",
     "inc", "ltd", "llc", "gmbh", "ag", "corp", "plc", "group"}  # the company behind the site
)  # fmt: skip


def has_organisation_word(name: str) -> bool:
    """ "Associated Press", "Getty Images", "Mashreq University": a word only organisations use."""
    return bool(set(normalize_name(name).split()) & _ORGANISATION_WORDS)


def name_kind(name: str) -> AgentKind:
    """A person's name is 2 to 4 capitalised words with none of the words organisations use."""
    tokens = clean_text(name).split()
    if has_organisation_word(name) or not 2 <= len(tokens) <= 4:
        return "organization"
    significant = [token for token in tokens if token not in _NAME_PARTICLES]
    if len(significant) < 2 or any(
        _ACRONYM.match(token) and len(token.strip(".")) <= 2 for token in significant
    ):
        return "organization"  # "PA Wire", "AP", "EU Council": a two-letter acronym is no one's name
    if all(_PERSON_TOKEN.match(token) for token in significant):
        return "person"
    return "organization"


def looks_like_name_list(line: str) -> bool:
    """A line that is nothing but people's names ("Mathatisi Sebusi/Mohalenyane Phakela")."""
    if not line or len(line) > 120 or line.rstrip().endswith((".", "?", "!", ":")):
        return False
    names = split_author_names(line)
    return bool(names) and all(name_kind(name) == "person" for name in names)


def strip_credit_label(value: str) -> str:
    """`"(Photo: Getty)"` -> `"Getty"`; `"Photograph: Eva Manez/Reuters"` -> `"Eva Manez/Reuters"`."""
    text = clean_text(value).strip(" —\u2013-/")
    while len(text) > 2 and text[0] == "(" and text[-1] == ")":
        text = text[1:-1].strip()
    previous = None
    while previous != text:
        previous = text
        text = _LEADING_LABEL.sub("", text).strip(" :—\u2013-/")
    return text


def has_credit_label(value: str, *, photo: bool = False) -> bool:
    """ "Foto: X", "Photograph by X", "© X": the text opens with a credit's label (a year after "©" is
    a page's copyright notice, "© 2025 Publisher", not a photo's credit). `photo`: a label that only a
    picture's credit uses, not "Source:"/"Quelle:", which also name where a text came from."""
    text = clean_text(value).lstrip(" (")
    if re.match(r"(?:©|\(c\)|copyright)\s*\d{4}", text, re.IGNORECASE):
        return False
    match = _LEADING_LABEL.match(text)
    if match is None or not text[match.end() :].strip():
        return False
    return not photo or not _SOURCE_LABEL.match(text)


def is_video_credit(value: str) -> bool:
    """ "(AP Video by Mike Pesoli)": a moving picture's credit, not a photo's."""
    label = clean_text(value).strip("( ")
    return bool(_VIDEO_CREDIT.search(label[:20]))


@dataclass(frozen=True)
class CreditAgent:
    name: str
    kind: AgentKind
    role: CreditRole


def credit_agents(credit_line: str) -> list[CreditAgent]:
    """Who a photo credit line names: `"AP Photo/Charles Rex Arbogast"` -> AP (agency), Charles Rex Arbogast.

    The parts between "/", ";", "|" and "," are agents; "Photo", "File", "Handout" name no one. A person is
    the photographer, an organisation the credited source (`photo_credit`), a "photo illustration by"
    person the illustrator.
    """
    agents: list[CreditAgent] = []
    for part in _CREDIT_SEPARATORS.split(credit_line):
        name = part.strip(" []:")
        if name.count("(") != name.count(")"):
            name = name.strip("()")
        role_match = _ROLE_PHRASE.match(name)
        illustrated = bool(role_match and role_match.group("illustration"))
        if role_match:
            name = name[role_match.end() :].strip()
        name = _AGENCY_PHOTO_SUFFIX.sub("", _RIGHTS_PREFIX.sub("", name)).strip()
        if (
            len(name) < 2
            or normalize_name(name) in _NOT_AGENTS
            or is_junk_byline(name)
            or _RIGHTS_NOTICE.search(name)
        ):
            continue
        reporter = _REPORTER_SUFFIX.search(name)
        if reporter:  # "고영권 기자": the paper's own photographer
            name = name[: reporter.start()].strip()
            if len(name) < 2:
                continue
        kind = "person" if reporter else name_kind(name)
        role: CreditRole = "photo_credit"
        if kind == "person":
            role = "illustrator" if illustrated else "photographer"
        agents.append(CreditAgent(name=name, kind=kind, role=role))
    return agents
