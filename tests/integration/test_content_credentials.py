"""C2PA manifests of the shared corpus read through c2pa-python, and a remote manifest never fetched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

from archive.extract import extract_path
from tests.conftest import shared_path

MEDIA = shared_path("corpus", "media")
REMOTE = next(MEDIA.glob("dev-img06*.jpg"))


def test_a_valid_manifest_and_its_author() -> None:
    extraction = extract_path(next(MEDIA.glob("dev-img01*.jpg")), "image/jpeg")

    credentials = extraction.content_credentials
    assert credentials is not None
    assert (credentials["present"], credentials["valid"], credentials["untrusted_signer"]) == (
        True,
        True,
        True,
    )
    assert credentials["claim_generator"] == "make_test_images/0.33.1 c2pa-rs/0.33.1"
    assert credentials["signer"]["issuer"] == "C2PA Test Signing Cert"
    [credit] = extraction.credits
    assert (credit.name, credit.role, credit.field) == (
        "John Doe",
        "photographer",
        "C2PA:CreativeWork.author",
    )


def test_tampered_manifests_say_how() -> None:
    hash_mismatch = extract_path(next(MEDIA.glob("dev-img03*.jpg")), "image/jpeg").content_credentials
    bad_signature = extract_path(next(MEDIA.glob("dev-img04*.jpg")), "image/jpeg").content_credentials

    assert hash_mismatch is not None and bad_signature is not None
    assert (hash_mismatch["valid"], hash_mismatch["failures"]) == (False, ["assertion.dataHash.mismatch"])
    assert (bad_signature["valid"], bad_signature["failures"]) == (False, ["claimSignature.mismatch"])


def test_a_file_without_a_manifest_has_no_credentials() -> None:
    extraction = extract_path(next(MEDIA.glob("dev-img10*.jpg")), "image/jpeg")

    assert extraction.content_credentials is None
    assert extraction.problems == []


def _connections_while(code: str) -> list[bytes]:
    """The connections a child process running `code` opens through the proxy its environment names: a
    listener on this machine that answers nothing, so that no request leaves it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(5)
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    seen: list[bytes] = []

    def accept() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        seen.append(connection.recv(200))
        connection.close()

    watcher = threading.Thread(target=accept)
    watcher.start()
    names = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")
    environment = {**os.environ, **dict.fromkeys(names, proxy)}
    environment.pop("NO_PROXY", None)
    environment.pop("no_proxy", None)
    completed = subprocess.run([sys.executable, "-c", code], env=environment, timeout=60, check=False)
    watcher.join()
    listener.close()
    assert completed.returncode == 0
    return seen


def test_a_remote_manifest_is_reported_and_never_fetched() -> None:
    reads = (
        "from pathlib import Path\n"
        "from archive.extract import extract_path\n"
        f"print(extract_path(Path({str(REMOTE)!r}), 'image/jpeg').content_credentials)\n"
    )
    fetches = (
        "import c2pa\n"
        "try:\n"
        f"    c2pa.Reader({str(REMOTE)!r}, context=c2pa.Context())\n"
        "except Exception:\n"
        "    pass\n"
    )

    assert _connections_while(reads) == []
    # The same file with c2pa's default settings does try to fetch it: the proxy would have seen ours.
    assert any(b"CONNECT" in seen for seen in _connections_while(fetches))
    extraction = extract_path(REMOTE, "image/jpeg")
    credentials = extraction.content_credentials
    assert credentials is not None
    assert (credentials["present"], credentials["valid"]) == (True, None)
    assert str(credentials["remote"]).startswith("https://")
