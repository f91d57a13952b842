"""RFC 3161 time-stamps of checkpoints from a local authority (`openssl ts -reply`): kept and served in
receipts, checked by rfc3161-client and by `openssl ts -verify`, with and without the CA chain in the
reply; a reply under another CA refused; an authority down never blocking an upload, the gap visible."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import pkcs7

from archive.db.models import utcnow
from archive.errors import ArchiveError
from archive.jobs.publishing import publication_from_settings
from archive.ledger.notes import note_signatures
from archive.ledger.receipts import check_timestamp
from archive.ledger.timestamps import load_roots
from archive.roles import Role
from archive.services.publishing import Outcome, publish_checkpoint
from tests.conftest import Deployment, free_port
from tests.e2e.conftest import Api, running_api
from tests.e2e.local_tsa import LocalAuthority, serving
from tests.e2e.server import run_archive

HOUR = 3600.0


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> LocalAuthority:
    return LocalAuthority.make("archive-test", tmp_path_factory.mktemp("tsa"))


@contextmanager
def stamped(deployment: Deployment, url: str, ca_file: Path) -> Iterator[Api]:
    # Published by hand: the app runs no jobs, whose periodic `log.publish` would take the turn first.
    with running_api(
        deployment, tsa_url=url, tsa_ca_file=ca_file, checkpoint_interval=HOUR, run_jobs=False
    ) as api:
        yield api


def publish(api: Api, **kwargs: Any) -> list[Outcome]:
    settings = api.client.app.state.context.settings  # type: ignore[attr-defined]
    return publish_checkpoint(api.deployment.uow(), publication_from_settings(settings), **kwargs)


def receipt_of(api: Api, version: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/v1/documents/{version['document_id']}/versions/{version['version']}/receipt")
    assert response.status_code == 200, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


def tsa_state(api: Api) -> dict[str, Any]:
    states = api.get("/v1/log/attestors", role=Role.AUDITOR).json()
    (found,) = [a for a in states["attestors"] if a["kind"] == "timestamp"]
    return {**found, "checkpoint_size": states["checkpoint_size"]}


@pytest.mark.parametrize("chain", [False, True], ids=["signer-only", "with-ca-chain"])
def test_checkpoints_are_time_stamped_and_openssl_agrees(
    deployment: Deployment, tmp_path: Path, chain: bool
) -> None:
    authority = LocalAuthority.make("stamping", tmp_path / "tsa", chain=chain)
    with serving(authority) as url, stamped(deployment, url, authority.ca_file) as api:
        version = api.upload(b"stamped document").json()
        assert [o.result for o in publish(api)] == ["attested"]
        assert [o.result for o in publish(api)] == ["current"]
        assert authority.requests == 1
        receipt = receipt_of(api, version)
        (tmp_path / "log.vkey").write_text(api.get("/v1/log/key").text)
        state = tsa_state(api)
        assert state["attested_size"] == state["checkpoint_size"] and state["behind"] == 0

    assert receipt["timestamp"]
    token = base64.b64decode(receipt["timestamp"])
    assert len(pkcs7.load_der_pkcs7_certificates(token)) == (2 if chain else 1)
    stamp = check_timestamp(receipt, load_roots(authority.ca_file.read_bytes()))
    assert abs((utcnow() - stamp.gen_time).total_seconds()) < 600
    body, _ = note_signatures(receipt["checkpoint"])
    (tmp_path / "body.txt").write_text(body)
    (tmp_path / "token.der").write_bytes(token)
    verified = authority.verify(tmp_path / "body.txt", tmp_path / "token.der")
    assert verified.stdout.strip() == "Verification: OK", verified.stderr
    (tmp_path / "other.txt").write_text(body.replace("\n", "\n\n", 1))
    assert authority.verify(tmp_path / "other.txt", tmp_path / "token.der").returncode != 0

    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    common = ["verify-receipt", "receipt.json", "--key", "log.vkey"]
    checked = run_archive(tmp_path, *common, "--tsa-ca", str(authority.ca_file))
    assert checked.returncode == 0, checked.stderr
    assert f"time-stamp ok: archived no later than {stamp.gen_time:%Y-%m-%dT%H:%M:%SZ}" in checked.stdout
    unchecked = run_archive(tmp_path, *common)
    assert unchecked.returncode == 0 and "its authority not checked" in unchecked.stdout
    stranger = LocalAuthority.make("stranger", tmp_path / "stranger")
    refused = run_archive(tmp_path, *common, "--tsa-ca", str(stranger.ca_file))
    assert refused.returncode == 1 and "does not verify" in refused.stderr


def test_a_reply_signed_under_another_ca_is_refused_and_not_kept(
    deployment: Deployment, authority: LocalAuthority, tmp_path: Path
) -> None:
    impostor = LocalAuthority.make("impostor", tmp_path / "impostor")
    with serving(impostor) as url, stamped(deployment, url, authority.ca_file) as api:
        version = api.upload(b"not to be stamped by a stranger").json()
        outcomes = publish(api)
        assert [o.result for o in outcomes] == ["refused"]
        assert "does not verify" in (outcomes[0].detail or "")
        assert receipt_of(api, version)["timestamp"] is None
        state = tsa_state(api)
        assert state["attested_size"] == 0 and "does not verify" in state["last_error"]


def test_an_authority_down_never_blocks_an_upload_and_stamps_later(
    deployment: Deployment, authority: LocalAuthority
) -> None:
    port = free_port()
    with stamped(deployment, f"http://127.0.0.1:{port}/tsa", authority.ca_file) as api:
        first = api.upload(b"archived while the authority is down")
        assert first.status_code == 201
        now = utcnow()
        assert [o.result for o in publish(api, now=now)] == ["unavailable"]
        assert receipt_of(api, first.json())["timestamp"] is None
        second = api.upload(b"and another")
        assert second.status_code == 201
        state = tsa_state(api)
        assert state["attested_size"] == 0 and state["behind"] > 0 and "unreachable" in state["last_error"]

        with serving(authority, port):
            assert [o.result for o in publish(api, now=now + timedelta(seconds=HOUR + 1))] == ["attested"]
        # The checkpoint stamped later covers both versions.
        roots = load_roots(authority.ca_file.read_bytes())
        for version in (first.json(), second.json()):
            check_timestamp(receipt_of(api, version), roots)
        assert tsa_state(api)["last_error"] is None and tsa_state(api)["behind"] == 0


def test_a_token_is_bound_to_its_checkpoint(deployment: Deployment, authority: LocalAuthority) -> None:
    with serving(authority) as url, stamped(deployment, url, authority.ca_file) as api:
        version = api.upload(b"bound").json()
        publish(api)
        stamped_receipt = receipt_of(api, version)
        api.upload(b"the log grows")
        newer = api.get("/v1/log/checkpoint").text
    moved = {**stamped_receipt, "checkpoint": newer}
    with pytest.raises(ArchiveError, match="does not verify"):
        check_timestamp(moved, load_roots(authority.ca_file.read_bytes()))
