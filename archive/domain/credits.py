"""Credit roles, with the MARC relator code and schema.org property each maps to; agent and notice kinds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

AgentKind = Literal["person", "organization"]
CreditRole = Literal[
    "author", "contributor", "photographer", "photo_credit", "editor", "illustrator", "translator"
]
NoticeKind = Literal["updated", "corrected", "editors_note"]


@dataclass(frozen=True)
class RoleInfo:
    marc_relator: str  # https://id.loc.gov/vocabulary/relators
    schema_property: str  # https://schema.org


ROLES: dict[str, RoleInfo] = {
    "author": RoleInfo("aut", "author"),
    "contributor": RoleInfo("ctb", "contributor"),
    "photographer": RoleInfo("pht", "creator"),
    "photo_credit": RoleInfo("cph", "copyrightHolder"),
    "editor": RoleInfo("edt", "editor"),
    "illustrator": RoleInfo("ill", "illustrator"),
    "translator": RoleInfo("trl", "translator"),
}
CREDIT_ROLES: tuple[str, ...] = get_args(CreditRole)
AGENT_KINDS: tuple[str, ...] = get_args(AgentKind)
assert set(ROLES) == set(CREDIT_ROLES)
