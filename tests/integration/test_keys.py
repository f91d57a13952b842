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
    with deployment.uow().writing() as uow:
        plaintext = create_key(uow, "carol", Role.AUDITOR)
    assert re.fullmatch(r"ark_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", plaintext)
    with deployment.uow().writing() as uow:
        principal = authenticate(uow, plaintext)
        stored = uow.session.scalars(select(ApiKey).where(ApiKey.name == "carol")).one()
        assert stored.secret_sha256 not in plaintext
        assert plaintext.split("_", 2)[2] not in {stored.secret_sha256, stored.id}
    assert principal.name == "carol"
    assert principal.role is Role.AUDITOR

    with deployment.uow().writing() as uow:
        revoke_key(uow, "carol")
    with deployment.uow().writing() as uow, pytest.raises(Unauthenticated, match="revoked"):
        authenticate(uow, plaintext)


def test_keys_differ_and_a_tampered_key_fails(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        first = create_key(uow, "one", Role.READER)
        second = create_key(uow, "two", Role.READER)
    assert first != second
    tampered = first[:-1] + ("A" if first[-1] != "A" else "B")
    with deployment.uow().writing() as uow, pytest.raises(Unauthenticated):
        authenticate(uow, tampered)
    swapped = first[:21] + second[21:]  # one key's id with another's secret
    with deployment.uow().writing() as uow, pytest.raises(Unauthenticated):
        authenticate(uow, swapped)


def test_names_are_unique_and_checked(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        create_key(uow, "dora", Role.ARCHIVIST)
    with deployment.uow().writing() as uow, pytest.raises(KeyNameTaken):
        create_key(uow, "dora", Role.READER)
    for bad in ("", " spaced", "x" * 101, "new\nline"):
        with deployment.uow().writing() as uow, pytest.raises(InvalidInput):
            create_key(uow, bad, Role.READER)
    with deployment.uow().writing() as uow, pytest.raises(KeyNotFound):
        revoke_key(uow, "nobody")


def test_bootstrap_key_only_on_an_empty_archive(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        first = create_bootstrap_key(uow)
    assert first is not None
    with deployment.uow().writing() as uow:
        assert authenticate(uow, first).role is Role.ADMIN
        assert create_bootstrap_key(uow) is None
