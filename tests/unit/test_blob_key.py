from __future__ import annotations

import pytest

from archive.storage import blob_key

DIGEST = "35364124755f1faa76523c809804777186cc5ab80d5db76472c0c17126a21db9"


def test_layout() -> None:
    assert blob_key(DIGEST) == f"blake3/35/36/{DIGEST}"


@pytest.mark.parametrize(
    "bad",
    ["", "../" + DIGEST[3:], DIGEST.upper(), DIGEST[:-1], DIGEST + "0", "/" + DIGEST[1:], DIGEST[:-1] + "\n"],
)
def test_anything_but_a_digest_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a BLAKE3"):
        blob_key(bad)
