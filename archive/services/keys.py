"""API keys: made random, shown once, stored as a hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.db.models import ApiKey, UiSession
from archive.errors import InvalidInput, KeyNameTaken, KeyNotFound, Unauthenticated
from archive.ledger import key_created, key_revoked
from archive.roles import Role
from archive.services.log import append_event
from archive.services.unit_of_work import UnitOfWork

KEY_PREFIX = "ark_"
_KEY_ID_BYTES = 8  # 16 hex characters: public, for lookup
_SECRET_BYTES = 32  # 256 random bits
_KEY = re.compile(r"^ark_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:-]{0,99}$")
BOOTSTRAP_KEY_NAME = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is asking: the key's name and role (or the anonymous reader of a public archive)."""

    name: str
    role: Role


ANONYMOUS_READER = Principal(name="anonymous", role=Role.READER)


def _secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def create_key(uow: UnitOfWork, name: str, role: Role, actor: str = "command line") -> str:
    """Make a key and return its plaintext, which is not kept anywhere. The log records who made it."""
    if not _NAME.match(name):
        raise InvalidInput(
            "a key name is 1-100 letters, digits and . _ @ : - and starts with a letter or digit",
            name=name,
        )
    if uow.keys.by_name(name) is not None:
        raise KeyNameTaken(name)
    key_id = secrets.token_hex(_KEY_ID_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    key = uow.keys.add(ApiKey(id=key_id, name=name, role=role.value, secret_sha256=_secret_digest(secret)))
    append_event(uow.log, key_created(key_name=name, role=role, time=key.created_at, actor=actor))
    return f"{KEY_PREFIX}{key_id}_{secret}"


def revoke_key(uow: UnitOfWork, name: str, actor: str = "command line") -> ApiKey:
    """Refuse a key from now on; the log records it (once: revoking again changes nothing)."""
    key = uow.keys.by_name(name)
    if key is None:
        raise KeyNotFound(name)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        uow.keys.flush()
        append_event(uow.log, key_revoked(key_name=name, role=key.role, time=key.revoked_at, actor=actor))
    return key


def list_keys(uow: UnitOfWork) -> Sequence[ApiKey]:
    return uow.keys.all()


def authenticate(uow: UnitOfWork, presented: str) -> Principal:
    """The principal a presented key stands for; `Unauthenticated` for anything else."""
    return _principal(_valid_key(uow, presented))


def _valid_key(uow: UnitOfWork, presented: str) -> ApiKey:
    """The stored key a presented one matches, not revoked; `Unauthenticated` for anything else."""
    match = _KEY.match(presented)
    if match is None:
        raise Unauthenticated("the API key is malformed")
    key_id, secret = match.groups()
    key = uow.keys.get(key_id)
    # Compare a digest even when the id is unknown, so timing does not tell ids apart.
    stored = key.secret_sha256 if key is not None else "0" * 64
    if not hmac.compare_digest(stored, _secret_digest(secret)) or key is None:
        raise Unauthenticated("the API key is not valid")
    if key.revoked_at is not None:
        raise Unauthenticated("the API key has been revoked")
    return key


def _principal(key: ApiKey) -> Principal:
    return Principal(name=key.name, role=Role(key.role))


_SESSION_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def start_session(uow: UnitOfWork, presented_key: str, lifetime: timedelta) -> tuple[str, Principal]:
    """Sign a web interface visitor in with their key: a new random session token (returned, kept only
    as its SHA-256) that stands for the key for `lifetime`, or until it is ended or the key revoked.
    Sessions that expired a while ago are forgotten on the way."""
    key = _valid_key(uow, presented_key)
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(_SECRET_BYTES)
    uow.keys.prune_sessions(now - lifetime)
    uow.keys.add_session(
        UiSession(
            token_sha256=_secret_digest(token),
            key_id=key.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token, _principal(key)


def session_principal(uow: UnitOfWork, token: str) -> Principal:
    """Who a session token stands for; `Unauthenticated` once it expired, was ended or its key revoked."""
    if not _SESSION_TOKEN.match(token):
        raise Unauthenticated("the session is not valid")
    session = uow.keys.get_session(_secret_digest(token))
    if session is None or session.ended_at is not None:
        raise Unauthenticated("the session has ended")
    if session.expires_at <= datetime.now(UTC):
        raise Unauthenticated("the session has expired")
    key = uow.keys.get(session.key_id)
    if key is None or key.revoked_at is not None:
        raise Unauthenticated("the session's API key has been revoked")
    return _principal(key)


def end_session(uow: UnitOfWork, token: str) -> None:
    """Log out: the session token stops standing for its key at once."""
    if _SESSION_TOKEN.match(token):
        uow.keys.end_session(_secret_digest(token), datetime.now(UTC))


def create_bootstrap_key(uow: UnitOfWork) -> str | None:
    """On the first start of an archive with no keys at all, an admin key (else None)."""
    if uow.keys.count() > 0:
        return None
    return create_key(uow, BOOTSTRAP_KEY_NAME, Role.ADMIN, actor="first start")
