"""The archive against a tlog-witness nobody here wrote: aics-witness (pinned, in an environment of its own
made by `scripts/tools`), on a loopback port, watched so that it opens no connection beyond loopback."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx2
import psutil
import pytest

from archive.db.models import utcnow
from archive.jobs.publishing import publication_from_settings
from archive.ledger import Checkpoint, sign_checkpoint
from archive.ledger.cosignatures import CosignerKey, add_checkpoint_body, cosignatures
from archive.roles import Role
from archive.services.publishing import publish_checkpoint
from tests.conftest import ROOT, Deployment, free_port, wait_for_port
from tests.e2e.conftest import Api, running_api

AICS_WITNESS = ROOT / ".tools" / "aics-witness" / "bin" / "aics-witness"
LOOPBACK = {"127.0.0.1", "::1"}


@dataclass
class AicsWitness:
    url: str
    vkey: str
    process: subprocess.Popen[bytes]

    def connections(self) -> list[tuple[str, str | None]]:
        """(local address, remote address) of every socket the witness process holds."""
        found = psutil.Process(self.process.pid).net_connections(kind="inet")
        return [(c.laddr.ip, c.raddr.ip if c.raddr else None) for c in found]


@contextmanager
def aics_witness(tmp_path: Path, deployment: Deployment) -> Iterator[AicsWitness]:
    if not AICS_WITNESS.exists():
        pytest.fail("aics-witness is not installed: run scripts/tools", pytrace=False)
    with deployment.uow().reading() as uow:
        origin, log_vkey = uow.signer.origin, uow.signer.verifier_key
    port = free_port()
    config = str(tmp_path / "witness.json")

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(AICS_WITNESS), *args], capture_output=True, text=True, check=True, timeout=60
        )
        return done.stdout

    vkey = run("init", "--config", config, "--name", "aics.test/w", "--listen", f"127.0.0.1:{port}").strip()
    run("add-log", "--config", config, "--origin", origin, "--vkey", log_vkey)
    process = subprocess.Popen(
        [str(AICS_WITNESS), "serve", "--config", config, "--log-level", "WARNING"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield AicsWitness(f"http://127.0.0.1:{port}", vkey, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def publish(api: Api, now: datetime | None = None) -> list[str]:
    settings = api.client.app.state.context.settings  # type: ignore[attr-defined]
    publication = publication_from_settings(settings)
    return [o.result for o in publish_checkpoint(api.deployment.uow(), publication, now=now)]


def assert_loopback_only(witness: AicsWitness) -> None:
    for local, remote in witness.connections():
        assert local in LOOPBACK, local
        assert remote is None or remote in LOOPBACK, remote


def test_aics_witness_cosigns_the_archive_s_checkpoints(tmp_path: Path, deployment: Deployment) -> None:
    with (
        aics_witness(tmp_path, deployment) as witness,
        running_api(  # published by hand: no jobs, whose periodic log.publish would take the turn
            deployment, witnesses=f"{witness.url} {witness.vkey}", checkpoint_interval=3600.0, run_jobs=False
        ) as api,
    ):
        version = api.upload(b"cosigned by another implementation").json()
        assert publish(api) == ["attested"]
        assert_loopback_only(witness)
        receipt = api.get(f"/v1/documents/{version['document_id']}/versions/1/receipt").json()
        (found,) = cosignatures(receipt["checkpoint"], [CosignerKey.from_vkey(witness.vkey)])
        assert abs(found.timestamp - time.time()) < 600
        api.upload(b"the log grows")
        api.get("/v1/log/checkpoint")
        # At the next interval, the newer checkpoint goes with a consistency proof from the one it cosigned.
        assert publish(api, now=utcnow() + timedelta(hours=2)) == ["attested"]
        assert (
            len(cosignatures(api.get("/v1/log/checkpoint").text, [CosignerKey.from_vkey(witness.vkey)])) == 1
        )
        assert_loopback_only(witness)


def test_aics_witness_refuses_a_fork_and_it_is_reported(tmp_path: Path, deployment: Deployment) -> None:
    with (
        aics_witness(tmp_path, deployment) as witness,
        running_api(  # published by hand: no jobs, whose periodic log.publish would take the turn
            deployment, witnesses=f"{witness.url} {witness.vkey}", checkpoint_interval=3600.0, run_jobs=False
        ) as api,
    ):
        for n in range(3):
            api.upload(f"document {n}".encode())
        with api.deployment.uow().reading() as uow:
            size, root = uow.log.head()
            signer = uow.signer
        # The log's key signed, elsewhere, another tree of two leaves fewer: the witness cosigns it first.
        forged = sign_checkpoint(Checkpoint(signer.origin, size - 2, bytes(reversed(root))), signer.signer)
        answer = httpx2.post(f"{witness.url}/add-checkpoint", content=add_checkpoint_body(0, [], forged))
        assert answer.status_code == 200, answer.text
        assert publish(api) == ["refused"]
        states = api.get("/v1/log/attestors", role=Role.AUDITOR).json()["attestors"]
        assert "inconsistent" in states[0]["last_error"] and states[0]["attested_size"] == 0
        assert "aics.test/w" not in api.get("/v1/log/checkpoint").text
        assert_loopback_only(witness)
