"""API keys: made random, shown once, stored as a hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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


@dataclass
class KeyCache:
    """The principals of keys this process found valid within the last `seconds`, so that a request
    whose key was just checked skips the database. A key revoked anywhere (another process, the command
    line) is refused by every process within `seconds` of its revocation; 0 checks every request. Only
    keys found valid are kept, under their SHA-256 (never the key), at most `max_entries` of them."""

    seconds: float
    max_entries: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _found: dict[str, tuple[float, Principal]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    checked: int = 0
    """How many times a key was checked against the database."""

    def size(self) -> int:
        return len(self._found)

    def cached(self, presented: str) -> tuple[Principal, float] | None:
        """The principal `presented` stands for and until when (by `clock`) if it was found valid within
        the last `seconds`, else None (without asking the database)."""
        found = self._found.get(_cache_digest(presented))
        return (found[1], found[0]) if found is not None and found[0] > self.clock() else None

    def principal(self, uow: UnitOfWork, presented: str) -> Principal:
        """The principal `presented` stands for, from the cache while fresh, else checked (and kept)."""
        digest = _cache_digest(presented)
        now = self.clock()
        found = self._found.get(digest)
        if found is not None and found[0] > now:
            return found[1]
        self.checked += 1
        with uow.reading():
            principal = authenticate(uow, presented)
        self._keep(digest, principal, now)
        return principal

    def renew(self, uow: UnitOfWork, presented: str) -> None:
        """Check `presented` against the database now, fresh or not: kept for `seconds` again if valid,
        forgotten if not (before its entry would have expired, so that busy keys are not all checked at
        once when it does)."""
        digest = _cache_digest(presented)
        now = self.clock()
        self.checked += 1
        try:
            with uow.reading():
                principal = authenticate(uow, presented)
        except Unauthenticated:
            with self._lock:
                self._found.pop(digest, None)
            raise
        self._keep(digest, principal, now)

    def _keep(self, digest: str, principal: Principal, now: float) -> None:
        if self.seconds <= 0:  # nothing is kept
            return
        with self._lock:
            if len(self._found) >= self.max_entries:
                self._found = {d: f for d, f in self._found.items() if f[0] > now}
                if len(self._found) >= self.max_entries:
                    self._found.clear()
            self._found[digest] = (now + self.seconds, principal)


def _cache_digest(presented: str) -> str:
    return hashlib.sha256(presented.encode("utf-8", "surrogatepass")).hexdigest()


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
