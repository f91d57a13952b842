"""C2PA manifests of the shared corpus read through c2pa-python, and a remote manifest never fetched."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image
from pydantic import ValidationError

from archive.config import Settings
from archive.extract import ExtractionLimits, ProcessExtractor, extract_path
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


@pytest.mark.parametrize(
    ("pattern", "state"),
    [
        ("dev-img01*.jpg", "valid, untrusted signer"),
        ("dev-img03*.jpg", "tampered"),
        ("dev-img04*.jpg", "tampered"),
        ("dev-img06*.jpg", "remote (not fetched)"),
    ],
)
def test_the_state_is_said_plainly(pattern: str, state: str) -> None:
    credentials = extract_path(next(MEDIA.glob(pattern)), "image/jpeg").content_credentials

    assert credentials is not None
    assert credentials["state"] == state


def test_a_cawg_identity_assertion_names_its_signer_and_its_untrusted_credential_is_no_failure() -> None:
    credentials = extract_path(next(MEDIA.glob("dev-img02*.jpg")), "image/jpeg").content_credentials

    assert credentials is not None
    assert (credentials["valid"], credentials["failures"], credentials["untrusted_signer"]) == (
        True,
        [],
        True,
    )
    assert credentials["identities"] == [
        {"sig_type": "cawg.x509.cose", "issuer": "C2PA Test Signing Cert", "common_name": "C2PA Signer"}
    ]
    assert credentials["digital_source_types"] == [
        "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
    ]


CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"


@dataclass(frozen=True)
class SignedPhoto:
    path: Path
    root_pem: str


def _certificate(
    subject: str,
    issuer: x509.Certificate | None,
    key: ec.EllipticCurvePrivateKey,
    signing_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    now = datetime.now(UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, subject),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tests"),
        ]
    )
    is_ca = issuer is None
    usage = dict.fromkeys(
        (
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name if issuer is None else issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=not is_ca, key_cert_sign=is_ca, crl_sign=is_ca, **usage),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def signed_photo(tmp_path_factory: pytest.TempPathFactory) -> SignedPhoto:
    """A photo signed with C2PA under a certificate authority made for the test."""
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = _certificate("Test Root CA", None, root_key, root_key)
    leaf = _certificate("Test Signer", root, leaf_key, root_key)
    pem = [cert.public_bytes(serialization.Encoding.PEM) for cert in (leaf, root)]
    private = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(alg=b"es256", sign_cert=b"".join(pem), private_key=private, ta_url=None)
    )
    manifest = {
        "claim_generator_info": [{"name": "archive-tests", "version": "1"}],
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": CAPTURE}]},
            },
            {"label": "stds.schema-org.CreativeWork", "data": {"author": [{"name": "Ada Lovelace"}]}},
        ],
    }
    source = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(source, "JPEG")
    source.seek(0)
    signed = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/jpeg", source, signed)
    path = tmp_path_factory.mktemp("c2pa") / "signed.jpg"
    path.write_bytes(signed.getvalue())
    return SignedPhoto(path, pem[1].decode("ascii"))


def test_with_no_trust_list_the_signer_is_untrusted(signed_photo: SignedPhoto) -> None:
    extractor = ProcessExtractor(ExtractionLimits(timeout=60))
    try:
        credentials = extractor.extract(signed_photo.path, "image/jpeg").content_credentials
    finally:
        extractor.close()

    assert credentials is not None
    assert (credentials["validation_state"], credentials["state"]) == ("Valid", "valid, untrusted signer")


def test_a_configured_trust_list_makes_its_signers_trusted(signed_photo: SignedPhoto, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(signed_photo.root_pem, encoding="ascii")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'a.db'}",
        storage_url=f"file://{tmp_path / 'blobs'}",
        c2pa_trust_anchors=anchors,
    )
    extractor = ProcessExtractor(
        ExtractionLimits(timeout=60), trust_anchors=settings.c2pa_trust_anchors_pem()
    )
    try:
        extraction = extractor.extract(signed_photo.path, "image/jpeg")
    finally:
        extractor.close()

    credentials = extraction.content_credentials
    assert credentials is not None
    assert (credentials["validation_state"], credentials["untrusted_signer"]) == ("Trusted", False)
    assert (credentials["valid"], credentials["state"]) == (True, "valid")
    assert credentials["signer"]["common_name"] == "Test Signer"
    assert [credit.name for credit in extraction.credits] == ["Ada Lovelace"]


def test_an_unreadable_trust_list_is_refused_with_its_setting_named(tmp_path: Path) -> None:
    not_pem = tmp_path / "anchors.pem"
    not_pem.write_text("nothing here", encoding="ascii")

    with pytest.raises(ValidationError, match=r"ARCHIVE_C2PA_TRUST_ANCHORS: .* holds no PEM certificate"):
        Settings(c2pa_trust_anchors=not_pem)
    with pytest.raises(ValidationError, match=r"ARCHIVE_C2PA_TRUST_ANCHORS: cannot read"):
        Settings(c2pa_trust_anchors=tmp_path / "absent.pem")
