"""API keys against a real database: random, hashed at rest, revocable."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from archive.db.models import ApiKey
from archive.errors import InvalidInput, KeyNameTaken, KeyNotFound, Unauthenticated
from archive.roles import Role
from archive.services.keys import (
    KeyCache,
    Principal,
    authenticate,
    create_bootstrap_key,
    create_key,
    revoke_key,
)
from archive.services.unit_of_work import UnitOfWork
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


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class CountingUow:
    """The deployment's units of work, counting the transactions that checked a key."""

    deployment: Deployment
    checks: int = 0

    def __call__(self) -> UnitOfWork:
        self.checks += 1
        return self.deployment.uow()


def test_the_key_cache_trusts_a_valid_key_for_its_seconds_and_no_longer(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        plaintext = create_key(uow, "dora", Role.ARCHIVIST)
    clock, uows = Clock(), CountingUow(deployment)
    cache = KeyCache(seconds=1.0, clock=clock)
    assert cache.principal(uows(), plaintext) == Principal("dora", Role.ARCHIVIST)
    clock.now += 0.5
    assert cache.principal(uows(), plaintext).name == "dora"
    assert uows.checks == 2 and cache.checked == 1, "the second request was answered from the cache"

    with deployment.uow().writing() as uow:  # revoked elsewhere: this process is not told
        revoke_key(uow, "dora")
    clock.now += 0.49
    assert cache.principal(uows(), plaintext).name == "dora"  # still within the stated bound
    clock.now += 0.01  # the bound: one second after the key was last checked, it is checked again
    with pytest.raises(Unauthenticated, match="revoked"):
        cache.principal(uows(), plaintext)
    with pytest.raises(Unauthenticated, match="revoked"):  # a refusal is never kept
        cache.principal(uows(), plaintext)
    assert cache.checked == 3


def test_the_key_cache_keeps_no_key_and_is_bounded(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        keys = [create_key(uow, f"k{n}", Role.READER) for n in range(5)]
    clock = Clock()
    cache = KeyCache(seconds=2.0, max_entries=3, clock=clock)
    for key in keys:
        cache.principal(deployment.uow(), key)
    assert cache.size() <= 3
    assert not any(key in repr(cache) or key.split("_", 2)[2] in repr(cache) for key in keys)
    with pytest.raises(Unauthenticated, match="not valid"):
        cache.principal(deployment.uow(), keys[0][:-1] + ("A" if keys[0][-1] != "A" else "B"))


def test_a_key_cache_of_zero_seconds_checks_every_request(deployment: Deployment) -> None:
    with deployment.uow().writing() as uow:
        plaintext = create_key(uow, "eli", Role.READER)
    cache = KeyCache(seconds=0)
    for _ in range(3):
        cache.principal(deployment.uow(), plaintext)
    assert cache.checked == 3 and cache.size() == 0
