"""The guard: what the archive never fetches, whatever the spelling, and what a deployment allows."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from archive.capture import AddressPolicy, NameTable, open_fetcher
from archive.capture.fetch import retry_after
from archive.capture.guard import check_url, forbidden_reason, literal_address
from archive.config import Settings
from archive.errors import CaptureRefused
from archive.jobs.engine import cron_every
from archive.services.watches import next_check


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("::1", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("169.254.169.254.", "169.254.169.254"),
    ],
)
def test_every_spelling_of_an_address_is_read_as_the_address(host: str, address: str) -> None:
    assert literal_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["news.example", "0x7g.1", "1.2.3.4.5", "", "例え.テスト", "127.0.0.1x"])
def test_a_name_is_not_an_address(host: str) -> None:
    assert literal_address(host) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:7f00:1::", "loopback"),  # 6to4 carrying 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 carrying 10.0.0.1
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("fc00::1", "private"),
        ("100.64.0.1", "shared"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "private"),
        ("192.0.2.1", "private"),  # documentation
    ],
)
def test_addresses_inside_are_forbidden_with_their_reason(address: str, reason: str) -> None:
    found = forbidden_reason(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


def test_allowed_networks_admit_their_addresses_in_any_spelling() -> None:
    policy = AddressPolicy((ipaddress.ip_network("127.0.0.3/32"), ipaddress.ip_network("198.18.0.0/30")))
    assert str(policy.check("u", ipaddress.ip_address("127.0.0.3"))) == "127.0.0.3"
    assert str(policy.check("u", ipaddress.ip_address("::ffff:127.0.0.3"))) == "127.0.0.3"
    assert str(policy.check("u", ipaddress.ip_address("198.18.0.2"))) == "198.18.0.2"
    with pytest.raises(CaptureRefused, match="loopback"):
        policy.check("u", ipaddress.ip_address("127.0.0.2"))


def test_a_name_with_one_forbidden_address_is_refused_whole() -> None:
    resolver = NameTable({"split.test": ("93.184.215.14", "10.0.0.1")})
    with pytest.raises(CaptureRefused, match=r"10\.0\.0\.1 is a private address"):
        AddressPolicy().resolve("http://split.test/", "split.test", resolver)


def test_the_name_table_refuses_names_it_does_not_hold() -> None:
    with pytest.raises(CaptureRefused, match="not one this archive resolves"):
        NameTable({}).resolve("example.com")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("//example.com/", "relative"),
        ("http://exa mple.com/", "white space"),
        ("http://example.com:99999/", "not a URL"),
        ("http://0x7f000001/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("https://u:p@example.com/", "user name"),
        ("http://" + "a" * 3000, "at most 2048"),
        ("http://ĩyêr$â2ĺ/", "Invalid IDNA hostname"),  # a name IDNA does not allow: no job could fetch it
        ("http://sèªp.example/", "Invalid IDNA hostname"),
    ],
)
def test_urls_refused_by_what_they_say(url: str, reason: str) -> None:
    with pytest.raises(CaptureRefused, match=reason):
        check_url(url, AddressPolicy())


def test_a_url_naming_a_host_is_left_to_the_resolver() -> None:
    checked = check_url("https://news.example/a?b=1", AddressPolicy())
    assert (checked.host, checked.port, checked.scheme) == ("news.example", 443, "https")
    assert check_url("http://bücher.example/", AddressPolicy()).host == "bücher.example"


def test_a_fetch_refused_by_the_resolver_never_connects() -> None:
    class NeverConnect:
        def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
            pytest.fail("asked to connect")

    settings = Settings(database_url="sqlite:///unused.db", storage_url="file:///unused")
    table = NameTable({"metadata.test": ("169.254.169.254",), "intranet.test": ("10.1.2.3",)})
    fetcher = open_fetcher(settings, table, NeverConnect())  # type: ignore[arg-type]
    for url, reason in [("http://metadata.test/", "metadata"), ("http://intranet.test/", "private")]:
        with pytest.raises(CaptureRefused, match=reason):
            fetcher.fetch(url)


def test_allowed_networks_are_checked_at_start() -> None:
    with pytest.raises(ValueError, match="ARCHIVE_CAPTURE_ALLOW_NETWORKS"):
        Settings(capture_allow_networks="10.0.0.1/8")
    assert len(Settings(capture_allow_networks="10.0.0.0/8, fd00::/8").capture_allowed_networks()) == 2


def test_retry_after_reads_seconds_and_dates_bounded_to_a_day() -> None:
    assert retry_after([("Retry-After", "120")]) == 120
    assert retry_after([("retry-after", "99999999")]) == 86_400
    soon = (datetime.now(UTC) + timedelta(seconds=300)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    waited = retry_after([("Retry-After", soon)])
    assert waited is not None and 290 <= waited <= 300
    assert retry_after([("Retry-After", "soon")]) is None
    assert retry_after([]) is None


def test_watches_back_off_and_honour_retry_after() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert next_check(now, 600, 0, None) == now + timedelta(seconds=600)
    assert next_check(now, 600, 1, None) == now + timedelta(seconds=1200)
    assert next_check(now, 600, 3, None) == now + timedelta(seconds=4800)
    assert next_check(now, 600, 30, None) == now + timedelta(days=1)
    assert next_check(now, 172_800, 30, None) == now + timedelta(days=2)  # never less than the interval
    assert next_check(now, 600, 1, 7200) == now + timedelta(seconds=7200)


def test_periodic_tasks_run_on_crons_with_seconds() -> None:
    assert cron_every(5) == "*/5 * * * * *"
    assert cron_every(120) == "*/2 * * * *"


def test_a_fixed_table_of_hosts_is_all_a_deployment_fetches_from() -> None:
    class NeverConnect:
        def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
            pytest.fail("asked to connect")

    settings = Settings(capture_hosts="news.example=93.184.215.14; wire.example=2606:4700::1111")
    assert settings.capture_host_table() == {
        "news.example": ("93.184.215.14",),
        "wire.example": ("2606:4700::1111",),
    }
    fetcher = open_fetcher(settings, connector=NeverConnect())  # type: ignore[arg-type]
    for url, reason in [
        ("http://elsewhere.example/", "not one this archive resolves"),
        ("http://8.8.8.8/", "not the address of a host this archive captures from"),
    ]:
        with pytest.raises(CaptureRefused, match=reason):
            fetcher.fetch(url)
    empty = open_fetcher(Settings(capture_hosts=""), connector=NeverConnect())  # type: ignore[arg-type]
    with pytest.raises(CaptureRefused, match="not the address"):
        empty.check("http://93.184.215.14/")
    with pytest.raises(ValueError, match="ARCHIVE_CAPTURE_HOSTS"):
        Settings(capture_hosts="news.example")
