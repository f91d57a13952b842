"""`archive keys`: make, revoke and list API keys."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from archive.cli.runtime import JsonOption, Runtime, out
from archive.roles import Role
from archive.services import keys


def keys_create(
    role: Annotated[Role, typer.Option(help="admin, archivist, auditor or reader.")],
    name: Annotated[str, typer.Option(help="A unique name for the key's holder.")],
) -> None:
    """Make an API key and print it, alone on one line. It is not shown again."""
    with Runtime.load() as runtime, runtime.writing() as uow:
        plaintext = keys.create_key(uow, name, role)
    print(plaintext, flush=True)


def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke an API key: it is refused from now on."""
    with Runtime.load() as runtime, runtime.writing() as uow:
        key = keys.revoke_key(uow, name)
        revoked_at = key.revoked_at
    out.print(f"revoked {name} at {revoked_at:%Y-%m-%dT%H:%M:%SZ}", highlight=False)


def keys_list(as_json: JsonOption = False) -> None:
    """List keys (names, roles, state; never the keys themselves)."""
    with Runtime.load() as runtime, runtime.reading() as uow:
        rows = [
            {
                "name": k.name,
                "role": k.role,
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in keys.list_keys(uow)
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("name", "role", "created", "state", box=None)
    for row in rows:
        state = f"revoked {str(row['revoked_at'])[:10]}" if row["revoked_at"] else "active"
        table.add_row(str(row["name"]), str(row["role"]), str(row["created_at"])[:10], state)
    out.print(table)
