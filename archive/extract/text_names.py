"""Telling names of people from names of organisations, and reading lists of names ("A, B and C").

Only general cues are used: how a name is written (2-5 capitalised tokens for a person; an acronym, a
web domain or an organisation word such as "Department" or "Images" for an organisation). No person or
publisher is known by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.domain.credits import AgentKind
from archive.extract.text_lines import Piece


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a capitalised phrase an organisation ("U.S. Department of ...", "Getty Images").
ORGANIZATION_WORDS = _words(
    """
    academy administration agency archive archives associated association authority bank board broadcast
    broadcasting bureau center centre channel chronicle club co collection college command commission
    committee communications company computers consulting corp corporation council court daily department
    dept desk district electronics embassy enterprises entertainment federation films force forces
    foundation fund gazette gmbh government graphics group herald holdings hospital images imagery inc
    industries institute institution instruments journal laboratory labs league library llc ltd magazine
    media ministry museum navy network networks news newspaper newsroom office partners party
    photography photos pictures plc police post press productions project publications publishing radio
    records research school service services society software solutions staff stock studio studios
    systems team technologies telegraph television times tribune trust tv union university weekly wire
    yearbook
    """
)
# Words that end a photo credit made only of an agency ("Getty Images", "PA Wire"), with no slash or "via".
PHOTO_AGENCY_WORDS = _words("images imagery photo photos pictures photography stock wire")
# Words that describe a journalist's job, around a name: "Staff writer Jane Doe", "Jane Doe, Reporter".
ROLE_WORDS = _words(
    """
    analyst anchor assignment author chief columnist columnists contributing contributor contributors
    correspondent correspondents critic critics deputy designer editor editors executive freelance
    freelancer host illustrator intern investigative journalist journalists managing photographer
    photographers photojournalist presenter producer producers reporter reporters researcher senior
    special staff writer writers
    """
)
# Subject words that precede a job word ("Freelance sports writer"): part of a description, never of a name.
BEAT_WORDS = _words(
    """
    arts business climate culture data digital economics economy education environment features foreign
    general global health international markets multimedia national opinion political politics science
    social sports technology tech travel video world
    """
)
# Lower-case words a person's name may contain ("Maria de la Cruz", "Ludwig van Beethoven").
NAME_PARTICLES = _words(
    "bin binti bint da das de del della der den di do dos du ibn la le st ter ten van von y"
)
NAME_SUFFIXES = _words("jr sr ii iii iv")
# Lower-case words an organisation's name may contain ("Department of Homeland Security", "Getty Images").
ORGANIZATION_CONNECTORS = _words("of and for the on at in & de du des la le et y")
# Capitalised words that are not part of a person's name where bylines are printed.
NOT_NAME_WORDS = (
    _words("a about after ago an and as at by for from in into of on or over the this to via with")
    # a document's structure and numbers: "Chapter One" is a heading, "Slide Template" a tool's default
    | _words("appendix chapter figure presentation section slide template volume one two three four five six")
    # page furniture and section names
    | _words(
        """
        advertisement analysis article audio author authors breaking comment comments continue credit credits
        edition exclusive follow home image latest listen live login menu minute minutes more newsletter photo
        photograph picture podcast posted print published read related review search share sign sponsored
        story subscribe today top trending updated watch yesterday
        """
    )
    # weekdays and months (but not the months that are also given names: April, May, June, August)
    | _words(
        """
        monday tuesday wednesday thursday friday saturday sunday january february march september october
        november december jan feb mar apr jun jul aug sep sept oct nov dec
        """
    )
    # the first words of place names: a dateline ("New York") is not a byline
    | _words("central city county eastern island islands las los new northern republic san southern valley")
    | _words("united western")
)
# Titles of office: a name after "Secretary" is a person the story is about. Only in first place, since many
# are surnames too (Stephen King, Ann Judge).
OFFICE_TITLES = _words(
    """
    attorney ceo chairman chairwoman chancellor commissioner director dr gen general gov governor judge
    justice king leader lord minister mr mrs ms mayor officer pope premier president prince princess prof
    professor queen rep representative secretary sen senator sheriff sir speaker spokesman spokesperson
    spokeswoman
    """
)
# Words in a credit that describe the picture rather than name who made or owns it ("AP Photo/..., File").
CREDIT_DESCRIPTORS = _words(
    "courtesy file handout photo pool screengrab screenshot submitted supplied undated illustration"
)

_LETTERS = r"[^\W\d_]+"
# A token of a person's name: letters, joined by apostrophes, hyphens or dots ("O'Brien", "J.K.", "F.").
_NAME_TOKEN = re.compile(rf"{_LETTERS}(?:['.-]{_LETTERS})*\.?")
# Arabic and French prefixes written in lower case before a capitalised name ("al-Hassan", "d'Estaing").
_LOWER_NAME_PREFIX = re.compile(r"(?:al|el|ad|ed|as|ash|at|ben|bin|d|l)['-]")
_ACRONYM = re.compile(r"[A-Z](?:[A-Z&]|\.[A-Z]){1,7}\.?")  # AP, AFP, U.S., AT&T
_WEB_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|co\.uk|co|news|io|tv|uk|ca|au)", re.IGNORECASE)
_SURROUNDING_PUNCTUATION = "\"'()[]{},;:"

# Between the items of a list of names: ", and", "and", "&", commas, semicolons, and the list words of the
# languages the archive receives, in lower case ("und", "et", "og", "och", "ve", "ja", "és"; one-letter list
# words and the Spanish "y" or Italian "e" are also parts of names, and are not taken as separators here).
_LIST_SEPARATOR = re.compile(
    r"\s*,\s*(?:(?i:and)|&)\s+|\s+(?:(?i:and)|&|und|et|og|och|ve|ja|és|oraz)\s+|\s*[,;]\s*"
)
# Where a list item says where the person was, not who they are: "Will Weissert in Johnstown".
_PLACE_QUALIFIER = re.compile(r"\s+(?:in|from|at)\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}$")


def bare_word(token: str) -> str:
    """`"(Reuters),"` -> `"reuters"`: a token without surrounding punctuation, lower-cased."""
    return token.strip(_SURROUNDING_PUNCTUATION + ".").lower()


def _is_capitalised(token: str) -> bool:
    core = _LOWER_NAME_PREFIX.sub("", token, count=1) if _LOWER_NAME_PREFIX.match(token) else token
    return core[:1].isupper()


def _is_name_token(token: str) -> bool:
    word = bare_word(token)
    return (
        bool(_NAME_TOKEN.fullmatch(token))
        and _is_capitalised(token)
        and not token.endswith("'s")  # a possessive belongs to prose ("Jane Doe's account")
        and word not in NOT_NAME_WORDS
        and word not in ORGANIZATION_WORDS
        and word not in ROLE_WORDS
        and word not in BEAT_WORDS
    )


def is_person_name(name: str) -> bool:
    """Two to five capitalised tokens, with lower-case particles inside and a suffix at the end allowed."""
    tokens = name.split()
    if not 2 <= len(tokens) <= 5 or len(name) > 60 or bare_word(tokens[0]) in OFFICE_TITLES:
        return False
    capitalised = 0
    for index, token in enumerate(tokens):
        word = bare_word(token)
        if word in NAME_PARTICLES and 0 < index < len(tokens) - 1:
            continue
        if word in NAME_SUFFIXES and index >= 2 and index == len(tokens) - 1:
            continue
        if not _is_name_token(token):
            return False
        capitalised += 1
    return capitalised >= 2


def _is_organization_token(token: str) -> bool:
    word = bare_word(token)
    if not word:
        return token == "&"  # noqa: S105  (a connector, not a password)
    return word in ORGANIZATION_CONNECTORS or word[0].isdigit() or _is_capitalised(token.lstrip("(\"'"))


def _is_single_word_agency(token: str) -> bool:
    """One capitalised word standing where an agency is printed ("Reuters", "Getty")."""
    word = bare_word(token)
    return (
        len(word) >= 2
        and word.isalpha()
        and _is_capitalised(token)
        and word not in NOT_NAME_WORDS
        and word not in ROLE_WORDS
        and word not in CREDIT_DESCRIPTORS
    )


def is_organization(name: str, *, agency_slot: bool = False) -> bool:
    """A capitalised phrase with an organisation word, an acronym, or a web domain.

    In an agency slot (the part of a photo credit where agencies are printed) one capitalised word is taken
    for an agency, as in "Eva Manez/Reuters".
    """
    tokens = name.split()
    if not tokens or len(tokens) > 10 or len(name) > 100:
        return False
    if not _is_capitalised(tokens[0].lstrip("(\"'")) or not all(_is_organization_token(t) for t in tokens):
        return False
    if has_organization_word(name):
        return True
    if len(tokens) == 1:
        token = tokens[0].strip(_SURROUNDING_PUNCTUATION)
        if _ACRONYM.fullmatch(token) or _WEB_DOMAIN.fullmatch(token):
            return True
        return agency_slot and _is_single_word_agency(token)
    return False


def has_organization_word(name: str) -> bool:
    """An organisation word names the kind of body ("Los Angeles Times", "Department of ...", "Associated
    Press"); in first place it must be followed by "of" or another such word: "Post Jobs" is a link."""
    words = [bare_word(token) for token in name.split()]
    for index, word in enumerate(words):
        if word not in ORGANIZATION_WORDS:
            continue
        following = words[index + 1] if index + 1 < len(words) else None
        if (
            index > 0
            or following is None
            or following in ORGANIZATION_CONNECTORS
            or following in ORGANIZATION_WORDS
        ):
            return True
    return False


def agent_kind(name: str, *, agency_slot: bool = False) -> AgentKind | None:
    """ "organization", "person", or None when the text is neither kind of name."""
    if is_organization(name, agency_slot=agency_slot):
        return "organization"
    if is_person_name(name):
        return "person"
    return None


def is_job_description(text: str) -> bool:
    """`"Staff writer"`, `"Freelance sports writer"`, `"Senior Correspondent"`: a job, not a name."""
    tokens = text.split()
    words = [bare_word(token) for token in tokens]
    return (
        0 < len(words) <= 6
        and any(word in ROLE_WORDS for word in words)
        and all(
            word in ROLE_WORDS or word in BEAT_WORDS or token.islower()
            for word, token in zip(words, tokens, strict=True)
        )
        and all(word.replace("-", "").isalpha() for word in words)
    )


def clean_name(piece: Piece) -> Piece:
    """The name without surrounding quotes or punctuation; a final dot is kept after an initial or "Jr"."""
    piece = piece.strip(" " + _SURROUNDING_PUNCTUATION)
    if piece.text.endswith("."):
        last = piece.text.split()[-1] if piece.text.split() else ""
        keeps_dot = (
            len(bare_word(last)) == 1 or bare_word(last) in NAME_SUFFIXES or bool(_ACRONYM.fullmatch(last))
        )
        if not keeps_dot:
            piece = piece.slice(0, len(piece.text) - 1).strip()
    return piece


def without_job_prefix(piece: Piece) -> Piece:
    """`"Associated Press writers Will Weissert"` -> `"Will Weissert"` (what follows the last job word)."""
    last_role_end = None
    for match in re.finditer(r"\S+", piece.text):
        if bare_word(match.group()) in ROLE_WORDS:
            last_role_end = match.end()
    if last_role_end is None or not piece.text[last_role_end:].strip():
        return piece
    return piece.slice(last_role_end).strip()


def without_job_suffix(piece: Piece) -> tuple[Piece, str]:
    """`"Michael Hincks Freelance sports writer"` -> (`"Michael Hincks"`, `"Freelance sports writer"`).

    The name is the longest run of name tokens at the start; what follows is returned for the caller to
    judge. A run shorter than two tokens leaves the piece unchanged.
    """
    matches = list(re.finditer(r"\S+", piece.text))
    run = 0
    for index, match in enumerate(matches):
        word = bare_word(match.group())
        is_particle = word in NAME_PARTICLES and index > 0
        if not (is_particle or _is_name_token(match.group()) or word in NAME_SUFFIXES):
            break
        run = index + 1
    if run < 2 or run == len(matches):
        return piece, ""
    name = piece.slice(0, matches[run - 1].end())
    return name, piece.text[matches[run].start() :]


@dataclass(frozen=True)
class ListedName:
    piece: Piece  # the name as printed, stripped of list punctuation
    kind: AgentKind


def split_name_list(piece: Piece) -> list[Piece]:
    """The items of "A, B and C" (also "A and B", "A & B", "A; B"), stripped."""
    return [clean_name(item) for item in piece.split(_LIST_SEPARATOR)]


def without_place(item: Piece) -> tuple[Piece, bool]:
    """`"Will Weissert in Johnstown"` -> (`"Will Weissert"`, True): a list item without a place."""
    place = _PLACE_QUALIFIER.search(item.text)
    return (item.slice(0, place.start()), True) if place else (item, False)


def read_name_list(piece: Piece) -> list[ListedName] | None:
    """The names in a credit list such as "Associated Press writers Will Weissert in Johnstown, Pennsylvania,
    and Bill Barrow in Atlanta"; None when an item is not a name (the text is prose, not a list).

    Job words before a name and a place after it ("in Atlanta") are dropped; an item that only continues
    such a place ("Pennsylvania") is skipped.
    """
    names: list[ListedName] = []
    after_place = False
    for item in split_name_list(piece):
        unplaced, placed = without_place(item)
        name = clean_name(without_job_prefix(unplaced))
        kind = agent_kind(name.text)
        if kind is None:
            if after_place and len(item.text.split()) <= 3:
                continue  # "Pennsylvania" in "Jane Doe in Johnstown, Pennsylvania, and ..."
            return None
        names.append(ListedName(name, kind))
        after_place = placed
    return names or None
