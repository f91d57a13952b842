"""Witness cosignatures (C2SP tlog-witness, tlog-cosignature): checkpoints offered once per interval to
witnesses on loopback, cosignatures on the served checkpoint and in receipts, verified offline with a
quorum; a witness down, one that resyncs, one that does not trust the log, and one that saw a fork."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from archive.db.models import utcnow
from archive.jobs.publishing import publication_from_settings
from archive.ledger import Checkpoint, Verifier, open_checkpoint, root_hash
from archive.ledger.cosignatures import CosignerKey, cosignatures
from archive.ledger.receipts import check_cosignatures
from archive.roles import Role
from archive.services.publishing import Outcome, publish_checkpoint
from tests.conftest import Deployment, free_port
from tests.e2e.conftest import Api, running_api
from tests.e2e.server import run_archive
from tests.e2e.spec_witness import LogKey, SpecWitness, serving

HOUR = 3600.0


def log_key(deployment: Deployment) -> str:
    with deployment.uow().reading() as uow:
        return uow.signer.verifier_key


def witness_for(deployment: Deployment, name: str) -> SpecWitness:
    key = LogKey.parse(log_key(deployment))
    return SpecWitness(name, {key.name: [key]})


@contextmanager
def witnessed(deployment: Deployment, *witnesses: tuple[str, str], **settings: Any) -> Iterator[Api]:
    listed = ", ".join(f"{url} {vkey}" for url, vkey in witnesses)
    # The tests publish by hand, so the app runs no jobs (its periodic `log.publish` would take the turn
    # first), unless a test asks for them.
    options: dict[str, Any] = {
        "witnesses": listed,
        "checkpoint_interval": HOUR,
        "run_jobs": False,
        **settings,
    }
    with running_api(deployment, **options) as api:
        yield api


def publish(api: Api, **kwargs: Any) -> list[Outcome]:
    settings = api.client.app.state.context.settings  # type: ignore[attr-defined]
    return publish_checkpoint(api.deployment.uow(), publication_from_settings(settings), **kwargs)


def served_cosigners(api: Api, *witnesses: SpecWitness) -> set[str]:
    note = api.get("/v1/log/checkpoint").text
    key = Verifier.from_vkey(api.get("/v1/log/key").text.strip())
    open_checkpoint(note, [key], origin=key.name)  # the log's own signature still verifies
    return {c.witness.name for c in cosignatures(note, [CosignerKey.from_vkey(w.vkey) for w in witnesses])}


def attestor_state(api: Api, ident: str) -> dict[str, Any]:
    states = api.get("/v1/log/attestors", role=Role.AUDITOR).json()
    found: dict[str, Any] = next(a for a in states["attestors"] if a["id"] == ident)
    return {**found, "checkpoint_size": states["checkpoint_size"]}


def test_a_quorum_of_witnesses_cosigns_and_receipts_verify_offline(
    deployment: Deployment, tmp_path: Path
) -> None:
    first, second = witness_for(deployment, "w1.example/w"), witness_for(deployment, "w2.example/w")
    with (
        serving(first) as url1,
        serving(second) as url2,
        witnessed(deployment, (url1, first.vkey), (url2, second.vkey)) as api,
    ):
        version = api.upload(b"a witnessed document").json()
        outcomes = publish(api)
        assert [o.result for o in outcomes] == ["attested", "attested"], outcomes
        assert served_cosigners(api, first, second) == {"w1.example/w", "w2.example/w"}
        # Within the interval the same checkpoint is not offered again.
        assert {o.result for o in publish(api)} == {"current"}
        assert first.statuses == [200] and second.statuses == [200]

        receipt = api.get(f"/v1/documents/{version['document_id']}/versions/1/receipt").json()
        keys = [CosignerKey.from_vkey(first.vkey), CosignerKey.from_vkey(second.vkey)]
        assert len(check_cosignatures(receipt, keys, 2)) == 2
        (tmp_path / "receipt.json").write_text(json.dumps(receipt))
        (tmp_path / "log.vkey").write_text(api.get("/v1/log/key").text)
        state = attestor_state(api, keys[0].ident)
        assert state["attested_size"] == state["checkpoint_size"] and state["last_error"] is None

    common = ["verify-receipt", "receipt.json", "--key", "log.vkey"]
    both = ["--witness", first.vkey, "--witness", second.vkey]
    checked = run_archive(tmp_path, *common, *both, "--quorum", "2")
    assert checked.returncode == 0, checked.stderr
    assert "witnesses ok: 2 of 2 cosigned (2 needed)" in checked.stdout
    stranger = witness_for(deployment, "w3.example/w")
    short = run_archive(tmp_path, *common, *both, "--witness", stranger.vkey, "--quorum", "3")
    assert short.returncode == 1
    assert "2 of the witnesses cosigned the checkpoint, 3 needed (missing: w3.example/w)" in short.stderr
    assert run_archive(tmp_path, *common, "--witness", stranger.vkey, "--quorum", "1").returncode == 1


def test_a_witness_down_costs_nothing_and_cosigns_at_a_later_interval(deployment: Deployment) -> None:
    witness = witness_for(deployment, "late.example/w")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with witnessed(deployment, (url, witness.vkey)) as api:
        version = api.upload(b"archived while the witness is down")
        assert version.status_code == 201
        now = utcnow()
        assert [o.result for o in publish(api, now=now)] == ["unavailable"]
        assert api.get("/v1/log/checkpoint").status_code == 200
        assert served_cosigners(api, witness) == set()
        ident = CosignerKey.from_vkey(witness.vkey).ident
        state = attestor_state(api, ident)
        assert state["attested_size"] == 0 and state["behind"] == state["checkpoint_size"]
        assert "unreachable" in state["last_error"]
        receipt = api.get(f"/v1/documents/{version.json()['document_id']}/versions/1/receipt").json()
        assert receipt["timestamp"] is None and "late.example/w" not in receipt["checkpoint"]

        with serving(witness, port):
            # Tried again only once the interval has passed.
            assert [o.result for o in publish(api, now=now + timedelta(seconds=60))] == ["not due"]
            later = now + timedelta(seconds=HOUR + 1)
            assert [o.result for o in publish(api, now=later)] == ["attested"]
        assert served_cosigners(api, witness) == {"late.example/w"}
        receipt = api.get(f"/v1/documents/{version.json()['document_id']}/versions/1/receipt").json()
        assert len(check_cosignatures(receipt, [CosignerKey.from_vkey(witness.vkey)], 1)) == 1
        assert attestor_state(api, ident)["last_error"] is None


def test_a_witness_that_holds_an_earlier_checkpoint_is_resynced_with_a_proof(deployment: Deployment) -> None:
    witness = witness_for(deployment, "resync.example/w")
    with serving(witness) as url, witnessed(deployment, (url, witness.vkey)) as api:
        api.upload(b"one")
        with api.deployment.uow().reading() as uow:
            size, root = uow.log.head()
            origin = uow.signer.origin
        witness.state[origin] = (size, root)  # it cosigned this size for another worker already
        api.upload(b"two")
        assert [o.result for o in publish(api)] == ["attested"]
        assert witness.statuses == [409, 200]
        assert witness.state[origin][0] == size + 1


def test_a_witness_that_saw_a_fork_refuses_and_it_is_reported(deployment: Deployment) -> None:
    witness = witness_for(deployment, "fork.example/w")
    with serving(witness) as url, witnessed(deployment, (url, witness.vkey)) as api:
        for n in range(3):
            api.upload(f"document {n}".encode())
        with api.deployment.uow().reading() as uow:
            size = uow.log.size()
            origin = uow.signer.origin
            genuine = root_hash(uow.log, size - 2)
        # The witness cosigned, for this origin, a tree of size - 2 leaves with another root: a fork.
        forged = bytes(reversed(genuine))
        witness.state[origin] = (size - 2, forged)
        outcomes = publish(api)
        assert [o.result for o in outcomes] == ["refused"]
        assert witness.statuses == [409, 422]
        assert "inconsistent with what it saw before" in (outcomes[0].detail or "")
        state = attestor_state(api, CosignerKey.from_vkey(witness.vkey).ident)
        assert "inconsistent" in state["last_error"] and state["attested_size"] == 0
        assert witness.state[origin] == (size - 2, forged), "the witness kept its view"
        assert served_cosigners(api, witness) == set()
        assert api.get("/v1/log/checkpoint").status_code == 200

        # A witness that claims a larger tree than the log ever had is refused before anything is sent.
        witness.state[origin] = (size + 5, forged)
        with api.deployment.uow().writing() as uow:
            uow.attestations.release(
                CosignerKey.from_vkey(witness.vkey).ident, now=utcnow(), attested_size=size + 5, error=None
            )
        later = publish(api, now=utcnow() + timedelta(seconds=HOUR + 1))
        assert [o.result for o in later] == ["refused"]
        assert "larger than the log's" in (later[0].detail or "")


def test_a_witness_that_does_not_trust_the_log_key_refuses_with_403(deployment: Deployment) -> None:
    witness = witness_for(deployment, "picky.example/w")
    origin = Verifier.from_vkey(log_key(deployment)).name
    witness.logs = {}  # does not know the log at all
    with serving(witness) as url, witnessed(deployment, (url, witness.vkey)) as api:
        api.upload(b"refused by a stranger")
        outcomes = publish(api)
        assert witness.statuses == [404]
        assert outcomes[0].result == "refused" and "does not know this log's origin" in (
            outcomes[0].detail or ""
        )
        witness.logs = {origin: []}  # knows the origin, trusts no key of it
        outcomes = publish(api, now=utcnow() + timedelta(seconds=HOUR + 1))
        assert witness.statuses == [404, 403]
        assert "does not trust the log's key" in (outcomes[0].detail or "")


def test_the_server_offers_checkpoints_in_the_background(deployment: Deployment) -> None:
    witness = witness_for(deployment, "background.example/w")
    with (
        serving(witness) as url,
        witnessed(deployment, (url, witness.vkey), checkpoint_interval=0.5, run_jobs=True) as api,
    ):
        api.upload(b"cosigned without being asked")
        deadline = time.monotonic() + 20
        while served_cosigners(api, witness) != {"background.example/w"}:
            assert time.monotonic() < deadline, f"never cosigned: {witness.statuses}"
            time.sleep(0.2)


def test_checkpoint_text_is_what_witnesses_cosign(deployment: Deployment) -> None:
    """The body a cosignature covers is the checkpoint's text, final newline included."""
    witness = witness_for(deployment, "body.example/w")
    with serving(witness) as url, witnessed(deployment, (url, witness.vkey)) as api:
        api.upload(b"body")
        publish(api)
        note = api.get("/v1/log/checkpoint").text
        key = Verifier.from_vkey(api.get("/v1/log/key").text.strip())
        checkpoint = open_checkpoint(note, [key], origin=key.name)
        (found,) = cosignatures(note, [CosignerKey.from_vkey(witness.vkey)])
        expected = witness.cosign(
            Checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root_hash).text(), found.timestamp
        )
        assert found.line + "\n" == expected


def test_workers_publishing_at_once_offer_a_checkpoint_once(deployment: Deployment) -> None:
    """The periodic job run by several workers at the same moment: one claims each attestor's turn."""
    witness = witness_for(deployment, "raced.example/w")
    with serving(witness) as url, witnessed(deployment, (url, witness.vkey)) as api:
        api.upload(b"raced")
        settings = api.client.app.state.context.settings  # type: ignore[attr-defined]
        publication = publication_from_settings(settings)
        now = utcnow()
        with ThreadPoolExecutor(6) as pool:
            runs = list(
                pool.map(lambda _: publish_checkpoint(api.deployment.uow(), publication, now=now), range(6))
            )
        results = sorted(outcome.result for run in runs for outcome in run)
        assert results.count("attested") == 1, results
        assert set(results) <= {"attested", "current", "not due"}
        assert witness.statuses == [200]
        assert served_cosigners(api, witness) == {"raced.example/w"}
