"""C2PA Content Credentials, through c2pa-python: whether a file carries a manifest, whether it validates,
who signed it and which authors it names.

Remote manifests are never fetched (nor OCSP responses): c2pa's settings default to fetching them, so
every read goes through a context that turns both off, and a file whose manifest lives elsewhere is
reported as remote, with its address, and `valid` null. No trust list is configured by default, so every
signer is untrusted; that is reported apart (`untrusted_signer`), and `valid` says whether the manifest
itself validates (c2pa's `validation_state` `Valid` or `Trusted`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

UNTRUSTED = "signingCredential.untrusted"
SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
_REMOTE = "must fetch remote manifests from url "


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

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def read_content_credentials(path: Path) -> tuple[ContentCredentials | None, str | None]:
    """The file's Content Credentials (None when it has none), and a problem when they could not be read."""
    try:
        import c2pa  # noqa: PLC0415  (a native library, loaded only in the extraction worker)
    except ImportError:
        return None, "c2pa-python is not installed: Content Credentials were not read"
    try:
        context = c2pa.Context.from_dict(SETTINGS)
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
    failures = [code for code in codes if code != UNTRUSTED]
    return ContentCredentials(
        present=True,
        valid=state in ("Valid", "Trusted") if state is not None else not failures,
        validation_state=state,
        failures=failures,
        untrusted_signer=UNTRUSTED in codes,
        claim_generator=_claim_generator(manifest),
        signer=signer or None,
        authors=_authors(manifest),
    )


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    generator = manifest.get("claim_generator")
    if isinstance(generator, str) and generator:
        return generator
    infos = [info for info in manifest.get("claim_generator_info") or [] if isinstance(info, dict)]
    return " ".join(f"{info.get('name')}/{info.get('version')}" for info in infos) or None


def _authors(manifest: dict[str, Any]) -> list[str]:
    """CreativeWork authors, in order, each once."""
    names: list[str] = []
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("stds.schema-org.CreativeWork"):
            continue
        authors = (assertion.get("data") or {}).get("author") or []
        for author in authors if isinstance(authors, list) else [authors]:
            name = author.get("name") if isinstance(author, dict) else None
            if isinstance(name, str) and name.strip() and name.strip() not in names:
                names.append(name.strip())
    return names
