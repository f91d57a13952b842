"""Credit roles, with the MARC relator code and schema.org property each maps to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from archive.extract.model import AgentKind, CreditRole


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
