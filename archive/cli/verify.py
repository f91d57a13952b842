"""Checking what the archive holds: a file against it, a receipt offline, the whole log against itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from archive.cli.runtime import Runtime, err, fail, out
from archive.digests import digest_file
from archive.ledger.cosignatures import CosignerKey
from archive.ledger.keyring import load_keyring
from archive.ledger.receipts import (
    check_cosignatures,
    check_file,
    check_receipt,
    check_timestamp,
    check_timestamp_imprint,
)
from archive.ledger.timestamps import load_roots
from archive.services.log import verify_log
from archive.services.verify import verify_digest
from archive.wire.verification import VerificationOut


def verify(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Is this file archived? Prints its digests and the versions that hold it; exit 1 when not."""
    digests = digest_file(path)
    with Runtime.load() as runtime, runtime.reading() as uow:
        result = verify_digest(uow, uploaded=digests)
    if as_json:
        print(json.dumps(VerificationOut.of(result).model_dump(mode="json"), indent=2))
        if not result.archived:
            raise typer.Exit(1)
        return
    out.print(f"blake3 {digests.blake3}\nsha256 {digests.sha256}\nsize   {digests.size}")
    if not result.archived:
        fail("not archived")
    for holding in result.versions:
        out.print(
            f"archived as document {holding.document_id} version {holding.version} "
            f"({holding.archived_at:%Y-%m-%dT%H:%M:%SZ})",
            highlight=False,
        )


def verify_receipt(
    receipt: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The receipt (JSON).")],
    *,
    key: Annotated[
        Path,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="The log's keys: its verifier key, several (one a line), or `GET /v1/log/key` as JSON "
            "(then each key is trusted only for the tree sizes it signed).",
        ),
    ],
    file: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="The archived file, to check too.")
    ] = None,
    witness: Annotated[
        list[str] | None,
        typer.Option(help="A witness's verifier key (`<name>+<key ID>+<key>`) whose cosignature counts."),
    ] = None,
    quorum: Annotated[
        int | None,
        typer.Option(min=1, help="How many of the --witness keys must have cosigned (default: all)."),
    ] = None,
    tsa_ca: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="PEM certificates the time-stamp must chain to."),
    ] = None,
) -> None:
    """Check a receipt offline, with no server: signature, inclusion proof, witnesses' cosignatures, the
    time-stamp, and the file's digests."""
    document = _read_receipt(receipt)
    keys = load_keyring(key.read_text(encoding="utf-8"))
    checked = check_receipt(document, keys)
    signers = keys.signed_by(str(document.get("checkpoint", "")), checked.checkpoint.size)
    out.print(
        f"signature ok: checkpoint of {checked.checkpoint.size} leaves signed by "
        + ", ".join(signer.vkey for signer in signers)
    )
    out.print(f"inclusion ok: leaf {checked.index} is in that tree", highlight=False)
    if witness:
        witnesses = [CosignerKey.from_vkey(vkey) for vkey in witness]
        needed = quorum if quorum is not None else len(witnesses)
        cosigned = check_cosignatures(document, witnesses, needed)
        out.print(f"witnesses ok: {len(cosigned)} of {len(witnesses)} cosigned ({needed} needed)")
    elif quorum is not None:
        fail("--quorum counts the --witness keys: give at least one")
    _check_timestamp(document, tsa_ca)
    event = checked.event
    if event.get("type") == "version.added":
        out.print(
            f"records version {event.get('version')} of document {event.get('document_id')}, "
            f"blake3 {event.get('blake3')}",
            highlight=False,
        )
    if file is not None:
        check_file(event, digest_file(file))
        out.print(f"file ok: {file} has the archived BLAKE3 and SHA-256", highlight=False)


def _read_receipt(receipt: Path) -> dict[str, Any]:
    try:
        document = json.loads(receipt.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{receipt} is not a JSON receipt: {exc}")
    if not isinstance(document, dict):
        fail(f"{receipt} is not a JSON receipt: expected an object")
    return document


def _check_timestamp(document: dict[str, Any], tsa_ca: Path | None) -> None:
    if document.get("timestamp") is None:
        if tsa_ca is not None:
            fail("the receipt carries no time-stamp (its checkpoint has not been time-stamped yet)")
        return
    if tsa_ca is None:
        at = check_timestamp_imprint(document)
        out.print(
            f"time-stamp present: {at:%Y-%m-%dT%H:%M:%SZ} over this checkpoint "
            "(its authority not checked: give --tsa-ca)",
            highlight=False,
        )
        return
    stamp = check_timestamp(document, load_roots(tsa_ca.read_bytes()))
    out.print(
        f"time-stamp ok: archived no later than {stamp.gen_time:%Y-%m-%dT%H:%M:%SZ}, by an authority "
        f"of {tsa_ca}",
        highlight=False,
    )


def log_verify() -> None:
    """Recompute the whole log from its stored leaves and check it against every signed checkpoint."""
    with (
        Runtime.load() as runtime,
        runtime.writing() as uow,
        Progress(console=err, transient=True) as progress,
    ):
        task = progress.add_task("leaves", total=None)
        result = verify_log(
            uow, progress=lambda done, total: progress.update(task, completed=done, total=total)
        )
    if not result.ok:
        where = f" (first bad leaf: {result.first_bad_index})" if result.first_bad_index is not None else ""
        fail(f"log verification failed{where}: {result.problem}")
    out.print(f"log ok: {result.size} leaves, {result.checkpoints} signed checkpoints consistent with them")
