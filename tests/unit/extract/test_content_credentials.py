"""What c2pa's report of a manifest becomes on the wire: validity, failures, the untrusted signer apart."""

from __future__ import annotations

from typing import Any

from archive.extract.content_credentials import UNTRUSTED, _from_error, credentials_of


def report(state: str | None, codes: list[str], **manifest: Any) -> dict[str, Any]:
    return {
        "active_manifest": "urn:one",
        "validation_state": state,
        "validation_status": [{"code": code} for code in codes],
        "manifests": {"urn:one": manifest, "urn:other": {"claim_generator": "not the active one"}},
    }


def test_a_valid_manifest_with_an_untrusted_signer_is_valid_and_says_so() -> None:
    credentials = credentials_of(
        report(
            "Valid",
            [UNTRUSTED],
            claim_generator="make_test_images/0.33.1",
            signature_info={
                "issuer": "Test CA",
                "common_name": "Signer",
                "time": "2024-08-06T21:53:37+00:00",
            },
            assertions=[
                {"label": "stds.schema-org.CreativeWork", "data": {"author": [{"name": "John Doe"}]}},
                {"label": "stds.schema-org.CreativeWork.v2", "data": {"author": {"name": "John Doe"}}},
            ],
        )
    )

    assert (credentials.present, credentials.valid, credentials.untrusted_signer) == (True, True, True)
    assert credentials.failures == []
    assert credentials.claim_generator == "make_test_images/0.33.1"
    assert credentials.signer == {
        "issuer": "Test CA",
        "common_name": "Signer",
        "time": "2024-08-06T21:53:37+00:00",
    }
    assert credentials.authors == ["John Doe"]


def test_a_tampered_manifest_is_invalid_with_its_failure_codes() -> None:
    credentials = credentials_of(report("Invalid", [UNTRUSTED, "assertion.dataHash.mismatch"]))

    assert credentials.valid is False
    assert credentials.failures == ["assertion.dataHash.mismatch"]
    assert credentials.validation_state == "Invalid"


def test_the_claim_generator_may_come_as_its_parts() -> None:
    credentials = credentials_of(
        report("Valid", [], claim_generator_info=[{"name": "Adobe Express", "version": "1.2"}, "junk"])
    )

    assert credentials.claim_generator == "Adobe Express/1.2"


def test_no_manifest_is_no_credentials_and_no_problem() -> None:
    assert _from_error("ManifestNotFound: no JUMBF data found") == (None, None)


def test_a_remote_manifest_is_reported_with_its_address_not_fetched() -> None:
    credentials, problem = _from_error(
        "Remote: must fetch remote manifests from url https://example.org/m.c2pa"
    )

    assert problem is None
    assert credentials is not None
    assert (credentials.present, credentials.valid, credentials.remote) == (
        True,
        None,
        "https://example.org/m.c2pa",
    )


def test_any_other_failure_to_read_is_a_problem() -> None:
    credentials, problem = _from_error("JumbfParseError: the box is short")

    assert credentials is None
    assert problem == "the Content Credentials cannot be read: JumbfParseError: the box is short"
