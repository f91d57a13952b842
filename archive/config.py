"""Settings, built once at start (in `create_app()` or the CLI entry) and passed down.

Every value comes from the environment with the prefix `ARCHIVE_`. Unsafe or inconsistent values are refused
here, at start, with a message that names the variable, instead of failing on the first request.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography import x509
from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from archive.errors import ArchiveError, ConfigurationError
from archive.ledger.cosignatures import CosignerKey
from archive.ledger.timestamps import load_roots

MiB = 1024 * 1024
GiB = 1024 * MiB
S3_MIN_PART_SIZE = 5 * MiB
S3_MAX_PARTS = 10_000
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class FileStorageLocation:
    root: Path


@dataclass(frozen=True)
class S3StorageLocation:
    bucket: str
    prefix: str


StorageLocation = FileStorageLocation | S3StorageLocation


class Settings(BaseSettings):
    """The service's configuration; see the README for each variable."""

    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", frozen=True, extra="ignore")

    database_url: str = "sqlite:///./data/archive.db"
    storage_url: str = "file://./data/blobs"
    # A second copy of every blob (`file://PATH` or `s3://BUCKET/PREFIX`), on the S3 endpoint below or
    # `replica_s3_endpoint_url`; unset, the archive keeps one copy.
    replica_url: str | None = None
    replica_s3_endpoint_url: str | None = None

    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    # boto3 1.36+ computes and sends checksums on every upload by default ("when_supported"); some
    # S3-compatible stores reject the trailing checksum headers, so "when_required" turns that off. The
    # service still sends its own SHA-256 of each object, which every store we target verifies or ignores.
    s3_request_checksum_calculation: Literal["when_supported", "when_required"] = "when_supported"
    s3_multipart_threshold: int = Field(default=64 * MiB, ge=S3_MIN_PART_SIZE)
    s3_multipart_chunk_size: int = Field(default=16 * MiB, ge=S3_MIN_PART_SIZE, le=5 * GiB)
    s3_connect_timeout: float = Field(default=5.0, gt=0)
    s3_read_timeout: float = Field(default=60.0, gt=0)
    s3_max_attempts: int = Field(default=3, ge=1, le=10)

    max_upload_bytes: int = Field(default=2 * GiB, gt=0, le=5 * 1024 * GiB)
    max_metadata_bytes: int = Field(default=64 * 1024, gt=0, le=16 * MiB)
    # What `archive serve` accepts of one request before its body (archive.api.http_protocol): the request
    # line and headers in bytes and in fields (431 beyond), seconds to send them and seconds a body may
    # stall (408, and the connection closed).
    max_header_bytes: int = Field(default=64 * 1024, ge=4096, le=16 * MiB)
    max_headers: int = Field(default=100, ge=10, le=10_000)
    header_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    body_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    public_read: bool = False
    spool_dir: Path | None = None
    # Blobs up to this size are re-hashed each time they are served (0: never); larger ones are checked
    # by fixity audits.
    verify_on_read_bytes: int = Field(default=4 * MiB, ge=0, le=256 * MiB)
    db_connect_timeout: float = Field(default=5.0, gt=0)
    # A key found valid is trusted this long by the process that checked it (0: every request is checked):
    # a key revoked anywhere is refused everywhere within it.
    key_cache_seconds: float = Field(default=1.0, ge=0, le=2)
    # The fast path keeps whole verified answers to repeated fetches (archive.api.fast_path) for
    # key_cache_seconds, at most this many bytes of them in each process (0: keeps none).
    read_cache_bytes: int = Field(default=64 * MiB, ge=0, le=4 * GiB)
    # Metadata extraction runs in worker processes: each document gets at most this long, and a page
    # larger than this is archived without being parsed.
    extract_timeout: float = Field(default=20.0, gt=0, le=600)
    extract_max_bytes: int = Field(default=5 * MiB, gt=0, le=256 * MiB)
    # Worker processes for documents (unset: one per core, at most 8), and beside them one more that
    # only documents up to extract_small_bytes go to, so a short text never waits behind slow pages.
    extract_workers: int | None = Field(default=None, ge=1, le=32)
    extract_small_bytes: int = Field(default=256 * 1024, ge=0, le=16 * MiB)
    # A PEM file of C2PA trust anchors: signers that chain to one are `Trusted`. Unset, none is trusted,
    # and every signer is reported as an untrusted one (the manifest itself may still be valid).
    c2pa_trust_anchors: Path | None = None

    # The verifiable log: its origin (the first line of every checkpoint, and the signing key's name) and
    # the file holding its Ed25519 signing key, made on first start when absent.
    log_origin: str = Field(default="archive.local/log", min_length=1, max_length=200, pattern=r"^[^\s+]+$")
    signing_key_file: Path = Path("data/log-signing.key")
    # Publishing the log: its tiles, checkpoint and key open to anyone (monitors, witnesses), and beyond
    # the archive's own key, the newest checkpoint offered once per interval to witnesses
    # (`<url> <witness vkey>` entries, separated by commas or newlines) and time-stamped by an RFC 3161
    # authority, whose answers must chain to a certificate of TSA_CA_FILE.
    public_log: bool = False
    checkpoint_interval: float = Field(default=10.0, ge=0.5, le=86400)
    witnesses: str = ""
    tsa_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://[^\s]+$")
    tsa_ca_file: Path | None = None
    attestor_timeout: float = Field(default=10.0, gt=0, le=300)

    # Search ranks within at most this many candidates, the newest versions that match: a word found in
    # most documents costs this many rankings, not one per document (past it, `total` is a lower bound).
    search_candidates: int = Field(default=1000, ge=10, le=100_000)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # The address people reach the service at (https://archive.example.org), when it sits behind a proxy
    # that ends TLS or rewrites Host: the web interface then accepts form posts only from this origin and
    # marks its cookies Secure when it is https. Unset, it trusts the request's own Host and scheme.
    public_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://[^/\s?#]+/?$")

    # Capture by URL and watches (archive.capture): networks a deployment allows although they are private
    # (CIDRs, comma-separated; empty: none), the most a page may send, how long a fetch may take in all,
    # the user agent sent, and how often a watch may look at a page at most.
    capture_allow_networks: str = Field(default="", max_length=4000)
    # Unset: names are resolved by the system. Set (`name=address;name=address`, or empty): the only hosts
    # captures fetch from, resolved by this table alone; no lookup leaves the machine, and no other
    # address, even one written in a URL, is connected to.
    capture_hosts: str | None = Field(default=None, max_length=20_000)
    capture_max_bytes: int = Field(default=20 * MiB, gt=0, le=GiB)
    capture_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    capture_user_agent: str = Field(
        default="archive-capture/0.1 (a source-document archive)", min_length=1, max_length=300
    )
    watch_min_interval_seconds: int = Field(default=300, ge=1, le=366 * 86400)
    # Whether this process runs background jobs (captures, watches, audits): `archive serve` does unless
    # false; on PostgreSQL `archive worker` processes run them too. A worker whose heartbeat is this old
    # is taken for dead, and its jobs are run again.
    run_jobs: bool = True
    job_stalled_seconds: float = Field(default=60.0, ge=2, le=3600)

    def capture_allowed_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The networks of `ARCHIVE_CAPTURE_ALLOW_NETWORKS`; a clear error on one that is not a CIDR."""
        networks = []
        for text in self.capture_allow_networks.split(","):
            if not text.strip():
                continue
            try:
                networks.append(ipaddress.ip_network(text.strip(), strict=True))
            except ValueError as exc:
                named = text.strip()
                raise ValueError(
                    f"ARCHIVE_CAPTURE_ALLOW_NETWORKS: {named!r} is not a network ({exc})"
                ) from exc
        return tuple(networks)

    def capture_host_table(self) -> dict[str, tuple[str, ...]] | None:
        """`ARCHIVE_CAPTURE_HOSTS` as names and their addresses; None when unset."""
        if self.capture_hosts is None:
            return None
        table: dict[str, tuple[str, ...]] = {}
        for entry in self.capture_hosts.split(";"):
            if not entry.strip():
                continue
            name, _, address = entry.partition("=")
            try:
                ipaddress.ip_address(address.strip())
            except ValueError as exc:
                raise ValueError(f"ARCHIVE_CAPTURE_HOSTS: {entry.strip()!r} is not name=address") from exc
            key = name.strip().lower().rstrip(".")
            table[key] = (*table.get(key, ()), address.strip())
        return table

    def uses_postgresql(self) -> bool:
        return self.sqlalchemy_url().startswith("postgresql")

    def effective_extract_workers(self) -> int:
        """As set, or one per core this process may run on (its CPU affinity, as a container limits it),
        at most 8."""
        if self.extract_workers is not None:
            return self.extract_workers
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return min(8, max(1, cores or 1))

    @model_validator(mode="after")
    def _check(self) -> Settings:
        self.storage_location()  # raises on a bad STORAGE_URL
        self._check_replica()  # raises on a bad REPLICA_URL, or one naming the primary storage
        self.sqlalchemy_url()  # raises on a bad DATABASE_URL
        self.c2pa_trust_anchors_pem()  # raises on an unreadable trust list
        self.witness_list()  # raises on a malformed witness entry
        self.tsa_roots()  # raises on a time-stamping authority without its CA, or an unreadable CA
        self.capture_allowed_networks()  # raises on a malformed CIDR
        self.capture_host_table()  # raises on a malformed entry
        parts_needed = -(-self.max_upload_bytes // self.s3_multipart_chunk_size)
        if parts_needed > S3_MAX_PARTS:
            raise ValueError(
                "ARCHIVE_S3_MULTIPART_CHUNK_SIZE is too small for ARCHIVE_MAX_UPLOAD_BYTES: "
                f"an upload of the maximum size would need {parts_needed} parts, S3 allows {S3_MAX_PARTS}"
            )
        return self

    def c2pa_trust_anchors_pem(self) -> str | None:
        """The trust anchors' PEM text; a clear error when the file cannot be read or holds no certificate."""
        if self.c2pa_trust_anchors is None:
            return None
        try:
            pem = self.c2pa_trust_anchors.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"ARCHIVE_C2PA_TRUST_ANCHORS: cannot read {self.c2pa_trust_anchors}: {exc}"
            ) from exc
        try:
            certificates = x509.load_pem_x509_certificates(pem.encode("ascii"))
        except ValueError:
            certificates = []
        if not certificates:
            raise ValueError(
                f"ARCHIVE_C2PA_TRUST_ANCHORS: {self.c2pa_trust_anchors} holds no PEM certificate it can read"
            )
        return pem

    def witness_list(self) -> list[tuple[str, CosignerKey]]:
        """Each witness's add-checkpoint prefix and cosigning key, from `witnesses`."""
        found: list[tuple[str, CosignerKey]] = []
        for entry in filter(None, (e.strip() for e in re.split(r"[,\n]", self.witnesses))):
            url, _, vkey = entry.partition(" ")
            if not re.fullmatch(r"https?://[^\s]+", url) or not vkey.strip():
                raise ValueError(f"ARCHIVE_WITNESSES: {entry[:80]!r} is not `<http(s) URL> <witness vkey>`")
            try:
                found.append((url, CosignerKey.from_vkey(vkey.strip())))
            except ArchiveError as exc:
                raise ValueError(f"ARCHIVE_WITNESSES: {url}: {exc.detail}") from exc
        if len({key.ident for _, key in found}) != len(found):
            raise ValueError("ARCHIVE_WITNESSES: a witness key is named twice")
        return found

    def tsa_roots(self) -> list[x509.Certificate]:
        """The certificates a time-stamping authority's answers must chain to (none without an authority)."""
        if self.tsa_url is None:
            return []
        if self.tsa_ca_file is None:
            raise ValueError(
                "ARCHIVE_TSA_URL needs ARCHIVE_TSA_CA_FILE: the authority's answers are kept and served "
                "in receipts only once they chain to a certificate the archive trusts"
            )
        try:
            return load_roots(self.tsa_ca_file.read_bytes())
        except OSError as exc:
            raise ValueError(f"ARCHIVE_TSA_CA_FILE: cannot read {self.tsa_ca_file}: {exc}") from exc
        except ArchiveError as exc:
            raise ValueError(f"ARCHIVE_TSA_CA_FILE: {self.tsa_ca_file}: {exc.detail}") from exc

    def storage_location(self) -> StorageLocation:
        """Parse `storage_url`: `file://PATH` (relative paths allowed) or `s3://BUCKET[/PREFIX]`."""
        return parse_storage_url(self.storage_url, "ARCHIVE_STORAGE_URL")

    def replica_location(self) -> StorageLocation | None:
        """Parse `replica_url` as `storage_url` is; None when no replica is configured."""
        return (
            None if self.replica_url is None else parse_storage_url(self.replica_url, "ARCHIVE_REPLICA_URL")
        )

    def replica_settings(self) -> Settings:
        """These settings with the replica as the storage (its own S3 endpoint, when it has one)."""
        assert self.replica_url is not None
        return self.model_copy(
            update={
                "storage_url": self.replica_url,
                "replica_url": None,
                "s3_endpoint_url": self.replica_s3_endpoint_url or self.s3_endpoint_url,
            }
        )

    def _check_replica(self) -> None:
        replica = self.replica_location()
        if replica is None:
            return
        same_endpoint = (self.replica_s3_endpoint_url or self.s3_endpoint_url) == self.s3_endpoint_url
        primary = self.storage_location()
        if isinstance(replica, FileStorageLocation) and isinstance(primary, FileStorageLocation):
            if replica.root.resolve() == primary.root.resolve():
                raise ValueError("ARCHIVE_REPLICA_URL names the primary storage: a replica is a second copy")
        elif replica == primary and same_endpoint:
            raise ValueError("ARCHIVE_REPLICA_URL names the primary storage: a replica is a second copy")

    def sqlalchemy_url(self) -> str:
        """The database URL with the driver this project ships (psycopg 3 for PostgreSQL)."""
        try:
            url = make_url(self.database_url)
        except ArgumentError as exc:
            raise ValueError(f"ARCHIVE_DATABASE_URL: not a database URL ({exc})") from exc
        backend = url.get_backend_name()
        if backend == "postgresql":
            return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        if backend == "sqlite":
            if url.database in (None, "", ":memory:"):
                raise ValueError(
                    "ARCHIVE_DATABASE_URL: an in-memory SQLite database would lose the archive; "
                    "give a file path"
                )
            return url.render_as_string(hide_password=False)
        raise ValueError(f"ARCHIVE_DATABASE_URL: unsupported database {backend!r}; use postgresql or sqlite")

    def effective_spool_dir(self) -> Path | None:
        """Where uploads are spooled while they are hashed.

        With filesystem storage the default is a folder inside the storage root, so that a finished upload
        is hard-linked into place instead of copied. Otherwise the system's temporary folder.
        """
        if self.spool_dir is not None:
            return self.spool_dir
        location = self.storage_location()
        if isinstance(location, FileStorageLocation):
            return location.root / "staging"
        return None


def parse_storage_url(url: str, variable: str) -> StorageLocation:
    """`file://PATH` (relative paths allowed) or `s3://BUCKET[/PREFIX]`, refused with `variable` named."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = (parts.netloc + parts.path) if parts.netloc else parts.path
        if not path:
            raise ValueError(f"{variable}: a file:// URL needs a path")
        return FileStorageLocation(root=Path(path))
    if parts.scheme == "s3":
        bucket = parts.netloc
        if not _BUCKET_NAME.match(bucket) or ".." in bucket:
            raise ValueError(f"{variable}: {bucket!r} is not a valid S3 bucket name")
        prefix = parts.path.strip("/")
        if any(segment in ("", ".", "..") for segment in prefix.split("/")) and prefix:
            raise ValueError(f"{variable}: the S3 prefix has an empty or dot segment")
        return S3StorageLocation(bucket=bucket, prefix=prefix)
    raise ValueError(f"{variable}: unsupported scheme {parts.scheme!r}; use file:// or s3://")


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, turning validation failures into one clear error."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from exc
