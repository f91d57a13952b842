"""`archive withdraw`, `archive purge` and `archive hold`: an admin's decisions about a document, from the
archive's own machine, through the same services (and log leaves) as the API's admin routes."""

from __future__ import annotations

from typing import Annotated

import typer

from archive.cli.runtime import Runtime, cli_actor, out
from archive.services import governance

DocumentArgument = Annotated[str, typer.Argument(help="The document's id.")]
Reason = Annotated[str, typer.Option(help="Why (logged).")]
OneVersion = Annotated[
    int | None, typer.Option(min=1, help="Only this version (default: the whole document).")
]


def withdraw(
    document_id: DocumentArgument,
    reason: Reason,
    version: OneVersion = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="End the withdrawal in force instead.")] = False,
) -> None:
    """Withdraw (take down) a document or one version: its bytes are served to admins only. Reversible."""
    with Runtime.load() as runtime, runtime.writing() as uow:
        if reverse:
            row = governance.reverse_withdrawal(
                uow, document_id, version=version, reason=reason, actor=cli_actor()
            )
            out.print(f"withdrawal reversed (leaf {row.reversal_log_index})", highlight=False)
        else:
            row = governance.withdraw(uow, document_id, version=version, reason=reason, actor=cli_actor())
            out.print(f"withdrawn (leaf {row.log_index})", highlight=False)


def purge(
    document_id: DocumentArgument,
    reason: Reason,
    confirm: Annotated[str, typer.Option(help="The document's id again: a purge cannot be undone.")],
    version: OneVersion = None,
) -> None:
    """Remove a document's (or one version's) bytes from storage and the replica for good, leaving their
    digests in a log leaf."""
    with Runtime.load() as runtime:
        uow = runtime.unit_of_work()
        with uow.writing():
            outcome = governance.purge(
                uow, document_id, version=version, reason=reason, confirm=confirm, actor=cli_actor()
            )
            leaf = outcome.purge.log_index
        governance.remove_bytes(uow, outcome.removed)
    out.print(f"purged (leaf {leaf}): {len(outcome.removed)} blob(s) removed", highlight=False)
    for blake3 in outcome.removed:
        out.print(blake3, highlight=False)


def hold(
    document_id: DocumentArgument,
    reason: Reason,
    release: Annotated[bool, typer.Option("--release", help="Release the hold instead.")] = False,
) -> None:
    """Place a legal hold on a document (it cannot be purged; gc keeps its blobs), or release it."""
    with Runtime.load() as runtime, runtime.writing() as uow:
        governance.set_hold(uow, document_id, placed=not release, reason=reason, actor=cli_actor())
    out.print("hold released" if release else "hold placed", highlight=False)
