"""What the archive may fetch: never a way into the network it runs in.

A URL is refused unless it is http(s) with a host; an address is refused when it is loopback, private,
link-local (the cloud metadata address among them), shared (CGNAT), multicast, reserved or unspecified,
whatever its spelling: an IPv4 address written as one number (`2130706433`), in hex (`0x7f000001`), in
octal or short (`127.1`), or inside an IPv6 address (`::ffff:127.0.0.1`, 6to4, NAT64, Teredo) is read as the
address it names. Networks a deployment names (`ARCHIVE_CAPTURE_ALLOW_NETWORKS`) are allowed all the same.

Names are resolved only through a `Resolver` the archive owns, so a deployment (or a test) decides where a
name lookup goes; the fetcher connects to the address that was checked, never looking the name up again.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx2

from archive.errors import CaptureRefused

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2048
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))


class Resolver(Protocol):
    """Turns a host name into the addresses to connect to; raises `CaptureRefused` when it cannot."""

    def resolve(self, host: str) -> list[Address]: ...


class SystemResolver:
    """The operating system's resolver (`getaddrinfo`), for a deployment on a network it trusts to name
    hosts."""

    def resolve(self, host: str) -> list[Address]:
        try:
            found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise CaptureRefused(host, f"the name {host!r} does not resolve ({exc})") from exc
        return _unique(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found)


@dataclass(frozen=True)
class NameTable:
    """A resolver that answers only the names it holds and refuses the rest without a lookup leaving the
    machine: for tests and fuzzing, and for a deployment that captures from a fixed set of hosts."""

    names: Mapping[str, tuple[str, ...]]

    def resolve(self, host: str) -> list[Address]:
        answers = self.names.get(host.lower().rstrip("."))
        if not answers:
            raise CaptureRefused(host, f"the name {host!r} is not one this archive resolves")
        return [ipaddress.ip_address(answer) for answer in answers]


def _unique(addresses: Iterable[Address]) -> list[Address]:
    return list(dict.fromkeys(addresses))


def literal_address(host: str) -> Address | None:
    """The address a host names when it is an address itself, in any spelling the system's resolver would
    accept without a lookup (dotted, one number, hex, octal, short, bracketed IPv6 with or without a
    zone); None for a name."""
    bare = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    if not bare or not all(part for part in bare.split(".")) or not bare.replace(".", "").isalnum():
        return None
    if not all(_numeric_part(part) for part in bare.split(".")):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def _numeric_part(part: str) -> bool:
    lowered = part.lower()
    if lowered.startswith("0x"):
        return all(c in "0123456789abcdef" for c in lowered[2:])
    return lowered.isdigit()


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo's client)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    carried = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
    if carried is not None:
        return carried
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # IPv4-compatible (deprecated) ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def forbidden_reason(address: Address) -> str | None:
    """Why the archive never connects to this address, or None when it may."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = forbidden_reason(inner)
        return f"{reason} (written as {address})" if reason else None
    checks: list[tuple[bool, str]] = [
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address in _METADATA, "the cloud metadata address"),
        (address.is_link_local, "a link-local address"),
        (address in _SHARED, "a shared (carrier-grade NAT) address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "an address that is not public"),
    ]
    for refused, reason in checks:
        if refused:
            return f"{address} is {reason}"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses the archive may connect to: the public ones, and those of the allowed networks; when
    `only` is given (a fixed table of hosts), none but those."""

    allowed: tuple[Network, ...] = ()
    only: frozenset[str] | None = None

    def check(self, url: str, address: Address) -> Address:
        """The address, when it may be connected to; else `CaptureRefused` naming why."""
        plain = embedded_ipv4(address) or address
        if self.only is not None and str(plain) not in self.only and str(address) not in self.only:
            raise CaptureRefused(url, f"{address} is not the address of a host this archive captures from")
        if any(plain in network for network in self.allowed if plain.version == network.version):
            return plain
        reason = forbidden_reason(address)
        if reason is not None:
            raise CaptureRefused(url, reason)
        return plain

    def resolve(self, url: str, host: str, resolver: Resolver) -> Address:
        """The address to connect to for `host`: its literal address, or what the resolver answers, every
        answer checked (a name with one forbidden address is refused whole)."""
        literal = literal_address(host)
        addresses = [literal] if literal is not None else resolver.resolve(host)
        if not addresses:
            raise CaptureRefused(url, f"the name {host!r} has no address")
        checked = [self.check(url, address) for address in addresses]
        return checked[0]


@dataclass(frozen=True)
class CheckedUrl:
    url: str
    scheme: str
    host: str
    port: int


def check_url(url: str, policy: AddressPolicy) -> CheckedUrl:
    """What the URL alone decides: its scheme, that it names a host, and (when the host is an address, in
    any spelling) that the address may be fetched. Raises `CaptureRefused`."""
    if len(url) > MAX_URL_LENGTH:
        raise CaptureRefused(url[:100] + "…", f"a URL is at most {MAX_URL_LENGTH} characters")
    if any(ord(c) < 0x21 or c in '<>"{}|\\^`' for c in url):
        raise CaptureRefused(url, "it holds white space or a character a URL may not hold")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise CaptureRefused(url, f"it is not a URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise CaptureRefused(
            url, f"only http and https URLs are captured, not {scheme or 'a relative URL'!r}"
        )
    host = parts.hostname
    if not host:
        raise CaptureRefused(url, "it names no host")
    if parts.username is not None or parts.password is not None:
        raise CaptureRefused(url, "a URL with a user name or password is not captured")
    literal = literal_address(host)
    if literal is not None:
        policy.check(url, literal)
    try:
        httpx2.URL(url)  # the client's own reading: a host name IDNA does not allow is refused here
    except httpx2.InvalidURL as exc:
        raise CaptureRefused(url, f"it is not a URL that can be fetched ({exc})") from exc
    return CheckedUrl(url, scheme, host, port or (443 if scheme == "https" else 80))


def allowed_networks(texts: Iterable[Network]) -> AddressPolicy:
    return AddressPolicy(tuple(texts))
