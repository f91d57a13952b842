"""`archive log rotate-key`: a new Ed25519 key signs the log's checkpoints from the next tree on."""

from __future__ import annotations

from typing import Annotated

import typer

from archive.cli.runtime import Runtime, cli_actor, out
from archive.services.key_rotation import rotate_signing_key
from archive.services.signing import promote_staged_key, stage_new_key, staged_key
from archive.services.signing_keys import active_key, key_history


def log_rotate_key(
    reason: Annotated[
        str, typer.Option(help="Why the key is retired (logged): e.g. `scheduled`, `compromised`.")
    ] = "scheduled",
) -> None:
    """Make a new signing key, record the rotation as a leaf whose checkpoint both keys sign, and put the
    new key in ARCHIVE_SIGNING_KEY_FILE (the retired key's secret is removed)."""
    with Runtime.load() as runtime:
        key_file = runtime.settings.signing_key_file
        uow = runtime.unit_of_work()
        with uow.reading():
            signing_now = active_key(key_history(uow)).vkey
        staged = staged_key(key_file)
        if staged is not None and staged.verifier.vkey == signing_now:
            promote_staged_key(key_file)  # a rotation recorded but stopped before it moved the key
            out.print(f"finished an interrupted rotation: {signing_now} signs now", highlight=False)
            return
        runtime.signer.signer_for(signing_now)  # refuse before anything is written if we lack the key
        new = stage_new_key(key_file, runtime.settings.log_origin)
        with uow.writing():
            rotation = rotate_signing_key(uow, new, actor=cli_actor(), reason=" ".join(reason.split()))
        promote_staged_key(key_file)
    out.print(
        f"retired {rotation.retired.vkey} (signed sizes {rotation.retired.first_size} to "
        f"{rotation.retired.last_size})",
        highlight=False,
    )
    out.print(
        f"new key {rotation.new.vkey} signs from tree size {rotation.new.first_size} "
        f"(leaf {rotation.leaf_index}; its checkpoint is signed by both keys)",
        highlight=False,
    )
