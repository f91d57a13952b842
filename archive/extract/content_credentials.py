"""C2PA Content Credentials, through c2pa-python: whether a file carries a manifest, whether it validates,
who signed it and which authors it names.

Remote manifests are never fetched (nor OCSP responses): c2pa's settings default to fetching them, so
every read goes through a context that turns both off, and a file whose manifest lives elsewhere is
reported as remote, with its address, and `valid` null. No trust list is configured by default, so every
signer is untrusted; that is reported apart (`untrusted_signer`), and `valid` says whether the manifest
itself validates (c2pa's `validation_state` `Valid` or `Trusted`). A deployment that has a trust list
(`ARCHIVE_C2PA_TRUST_ANCHORS`, a PEM file) gets `Trusted` for the signers it names, set once per worker
process by `configure_trust`.

`state` says it plainly, as the web interface shows it: `valid`, `valid, untrusted signer`, `tampered`
(the content or the claim does not match its signature), `invalid` (any other failure, such as an expired
or revoked certificate), or `remote (not fetched)`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from archive.domain.content_credentials import SIGNER_UNTRUSTED, UNTRUSTED, plain_state

SETTINGS: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
_REMOTE = "must fetch remote manifests from url "
_trust: dict[str, Any] = {}


def configure_trust(trust_anchors: str | None) -> None:
    """Trust the signers that chain to these PEM anchors, in this process (a worker's initializer)."""
    _trust.clear()
    if trust_anchors:
        _trust.update({"trust": {"trust_anchors": trust_anchors}, "verify": {"verify_trust": True}})


def settings() -> dict[str, Any]:
    """c2pa's settings: never fetch, and the trust list when one is configured."""
    verify = {**SETTINGS["verify"], **_trust.get("verify", {})}
    return {**_trust, "verify": verify}


@dataclass(frozen=True)
class ContentCredentials:
    present: bool
    valid: bool | None
    validation_state: str | None = None
    failures: list[str] = field(default_factory=list)  # c2pa's failure codes, the untrusted signer aside
    untrusted_signer: bool = False
    claim_generator: str | None = None
    signer: dict[str, str] | None = None  # issuer, common_name, time
    authors: list[str] = field(default_factory=list)
    remote: str | None = None  # where a remote manifest lives (not fetched)
    identities: list[dict[str, str]] = field(default_factory=list)  # CAWG identity assertions' signers
    digital_source_types: list[str] = field(default_factory=list)  # how the content came to be (IPTC)
    state: str = "valid"

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", plain_state(self.valid, self.failures, self.untrusted_signer))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def read_content_credentials(path: Path) -> tuple[ContentCredentials | None, str | None]:
    """The file's Content Credentials (None when it has none), and a problem when they could not be read."""
    try:
        import c2pa  # noqa: PLC0415  (a native library, loaded only in the extraction worker)
    except ImportError:
        return None, "c2pa-python is not installed: Content Credentials were not read"
    try:
        context = c2pa.Context.from_dict(settings())
        with c2pa.Reader(str(path), context=context) as reader:
            report = json.loads(reader.json())
    except Exception as exc:  # c2pa raises its own error types for every outcome but success
        return _from_error(str(exc))
    return credentials_of(report), None


def _from_error(message: str) -> tuple[ContentCredentials | None, str | None]:
    if "ManifestNotFound" in message or "no JUMBF data found" in message:
        return None, None
    if _REMOTE in message:
        url = message.split(_REMOTE, 1)[1].split(maxsplit=1)[0]
        return ContentCredentials(present=True, valid=None, remote=url), None
    return None, f"the Content Credentials cannot be read: {message}"[:300]


def credentials_of(report: dict[str, Any]) -> ContentCredentials:
    """What c2pa's JSON report says of the active manifest."""
    manifest = report.get("manifests", {}).get(report.get("active_manifest"), {})
    codes = [str(status.get("code")) for status in report.get("validation_status") or []]
    state = report.get("validation_state")
    signature = manifest.get("signature_info") or {}
    signer = {key: str(signature[key]) for key in ("issuer", "common_name", "time") if signature.get(key)}
    failures = [code for code in codes if code not in UNTRUSTED]
    return ContentCredentials(
        present=True,
        valid=state in ("Valid", "Trusted") if state is not None else not failures,
        validation_state=state,
        failures=failures,
        untrusted_signer=SIGNER_UNTRUSTED in codes,
        claim_generator=_claim_generator(manifest),
        signer=signer or None,
        authors=_authors(manifest),
        identities=_identities(manifest),
        digital_source_types=_source_types(manifest),
    )


def _assertions(manifest: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions") or []:
        if isinstance(assertion, dict) and str(assertion.get("label", "")).startswith(prefix):
            data = assertion.get("data")
            found.append(data if isinstance(data, dict) else {})  # a hostile manifest's data may be anything
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _identities(manifest: dict[str, Any]) -> list[dict[str, str]]:
    """Who signed each CAWG identity assertion, as far as c2pa reports it: the signature type, the
    certificate's subject and issuer, and the verified identities an aggregator vouches for."""
    found: list[dict[str, str]] = []
    for data in _assertions(manifest, "cawg.identity"):
        info = _mapping(data.get("signature_info"))
        payload = _mapping(data.get("signer_payload"))
        identity = {"sig_type": str(payload.get("sig_type", ""))}
        identity |= {key: str(info[key]) for key in ("issuer", "common_name") if info.get(key)}
        verified = [
            str(v.get("name") or v.get("username") or "")
            for v in _list(data.get("verifiedIdentities") or data.get("verified_identities"))
            if isinstance(v, dict)
        ]
        if any(verified):
            identity["verified_identities"] = ", ".join(name for name in verified if name)
        found.append(identity)
    return found


def _source_types(manifest: dict[str, Any]) -> list[str]:
    types: list[str] = []
    for data in _assertions(manifest, "c2pa.actions"):
        for action in data.get("actions") or []:
            kind = action.get("digitalSourceType") if isinstance(action, dict) else None
            if isinstance(kind, str) and kind.strip() and kind.strip() not in types:
                types.append(kind.strip())
    return types


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    generator = manifest.get("claim_generator")
    if isinstance(generator, str) and generator:
        return generator
    infos = [info for info in manifest.get("claim_generator_info") or [] if isinstance(info, dict)]
    return " ".join(f"{info.get('name')}/{info.get('version')}" for info in infos) or None


def _authors(manifest: dict[str, Any]) -> list[str]:
    """CreativeWork authors, in order, each once."""
    names: list[str] = []
    for data in _assertions(manifest, "stds.schema-org.CreativeWork"):
        authors = data.get("author") or []
        for author in authors if isinstance(authors, list) else [authors]:
            name = author.get("name") if isinstance(author, dict) else None
            if isinstance(name, str) and name.strip() and name.strip() not in names:
                names.append(name.strip())
    return names
