"""API keys against a real database: random, hashed at rest, revocable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from archive.db.models import ApiKey
from archive.errors import InvalidInput, KeyNameTaken, KeyNotFound, Unauthenticated
from archive.roles import Role
from archive.services.keys import authenticate, create_bootstrap_key, create_key, revoke_key
from tests.conftest import Deployment


def test_create_authenticate_revoke(deployment: Deployment) -> None:
    with deployment.db.unit_of_work() as session:
        plaintext = create_key(session, "carol", Role.AUDITOR)
    assert re.fullmatch(r"ark_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", plaintext)
    with deployment.db.unit_of_work() as session:
        principal = authenticate(session, plaintext)
        stored = session.scalars(select(ApiKey).where(ApiKey.name == "carol")).one()
        assert stored.secret_sha256 not in plaintext
        assert plaintext.split("_", 2)[2] not in {stored.secret_sha256, stored.id}
    assert principal.name == "carol"
    assert principal.role is Role.AUDITOR

    with deployment.db.unit_of_work() as session:
        revoke_key(session, "carol")
    with deployment.db.unit_of_work() as session, pytest.raises(Unauthenticated, match="revoked"):
        authenticate(session, plaintext)


def test_keys_differ_and_a_tampered_key_fails(deployment: Deployment) -> None:
    with deployment.db.unit_of_work() as session:
        first = create_key(session, "one", Role.READER)
        second = create_key(session, "two", Role.READER)
    assert first != second
    tampered = first[:-1] + ("A" if first[-1] != "A" else "B")
    with deployment.db.unit_of_work() as session, pytest.raises(Unauthenticated):
        authenticate(session, tampered)
    swapped = first[:21] + second[21:]  # one key's id with another's secret
    with deployment.db.unit_of_work() as session, pytest.raises(Unauthenticated):
        authenticate(session, swapped)


def test_names_are_unique_and_checked(deployment: Deployment) -> None:
    with deployment.db.unit_of_work() as session:
        create_key(session, "dora", Role.ARCHIVIST)
    with deployment.db.unit_of_work() as session, pytest.raises(KeyNameTaken):
        create_key(session, "dora", Role.READER)
    for bad in ("", " spaced", "x" * 101, "new\nline"):
        with deployment.db.unit_of_work() as session, pytest.raises(InvalidInput):
            create_key(session, bad, Role.READER)
    with deployment.db.unit_of_work() as session, pytest.raises(KeyNotFound):
        revoke_key(session, "nobody")


def test_bootstrap_key_only_on_an_empty_archive(deployment: Deployment) -> None:
    with deployment.db.unit_of_work() as session:
        first = create_bootstrap_key(session)
    assert first is not None
    with deployment.db.unit_of_work() as session:
        assert authenticate(session, first).role is Role.ADMIN
        assert create_bootstrap_key(session) is None
