"""Who may see a document and its bytes, decided without a database: the policy rules and the standing of a
document's versions (withdrawals and purges in force)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive.db.governance_models import DocumentPolicy, Purge, Withdrawal
from archive.errors import Purged, Withdrawn
from archive.roles import Role
from archive.services.access import DocumentStanding, may_see
from archive.services.keys import ANONYMOUS_READER, Principal

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ADMIN = Principal("root", Role.ADMIN)
ARCHIVIST = Principal("alice", Role.ARCHIVIST)
READER = Principal("bob", Role.READER)


def policy(*, restricted: bool = False, until: datetime | None = None) -> DocumentPolicy:
    return DocumentPolicy(document_id="D", restricted=restricted, embargoed_until=until)


@pytest.mark.parametrize("viewer", [ADMIN, ARCHIVIST, READER, ANONYMOUS_READER])
def test_a_document_without_a_policy_or_with_an_open_one_is_seen_by_all(viewer: Principal) -> None:
    assert may_see(None, viewer, granted=False, now=NOW)
    assert may_see(policy(), viewer, granted=False, now=NOW)


def test_a_restricted_document_is_seen_by_admins_and_granted_keys_only() -> None:
    restricted = policy(restricted=True)
    assert may_see(restricted, ADMIN, granted=False, now=NOW)
    assert may_see(restricted, READER, granted=True, now=NOW)
    assert not may_see(restricted, READER, granted=False, now=NOW)
    assert not may_see(restricted, ARCHIVIST, granted=False, now=NOW)


def test_an_embargo_holds_until_its_time_for_all_but_admins_grant_or_not() -> None:
    embargoed = policy(until=NOW + timedelta(seconds=1))
    assert not may_see(embargoed, READER, granted=True, now=NOW)
    assert may_see(embargoed, ADMIN, granted=False, now=NOW)
    assert may_see(embargoed, READER, granted=False, now=NOW + timedelta(seconds=1))  # its time has come
    both = policy(restricted=True, until=NOW - timedelta(days=1))
    assert not may_see(both, READER, granted=False, now=NOW)  # the embargo ended; the restriction holds


def withdrawal(version: int | None) -> Withdrawal:
    return Withdrawal(
        document_id="D", version=version, reason="order", withdrawn_at=NOW, withdrawn_by="root", log_index=7
    )


def purge(version: int | None) -> Purge:
    return Purge(document_id="D", version=version, reason="law", purged_at=NOW, purged_by="root", log_index=9)


def test_a_withdrawal_withholds_bytes_below_admin_only() -> None:
    whole = DocumentStanding([withdrawal(None)], [])
    assert whole.withheld(1, ADMIN) is None
    reason = whole.withheld(3, READER)
    assert reason is not None
    error = reason.error("D", 3)
    assert isinstance(error, Withdrawn) and error.fields["reason"] == "order"
    one = DocumentStanding([withdrawal(2)], [])
    assert one.withheld(1, READER) is None and one.withheld(2, ARCHIVIST) is not None
    assert one.first_withheld([1, 2, 3], READER) is not None
    assert one.first_withheld([1, 3], READER) is None


def test_a_purge_withholds_bytes_from_everyone_and_outranks_a_withdrawal() -> None:
    standing = DocumentStanding([withdrawal(None)], [purge(1)])
    reason = standing.withheld(1, ADMIN)
    assert reason is not None and isinstance(reason.error("D", 1), Purged)
    assert isinstance(standing.withheld(1, READER).error("D", 1), Purged)  # type: ignore[union-attr]
    assert standing.withheld(2, ADMIN) is None
    assert isinstance(standing.withheld(2, READER).error("D", 2), Withdrawn)  # type: ignore[union-attr]
