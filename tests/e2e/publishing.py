"""A real publisher for the capture tests, in a network namespace of the test run's own.

The namespace (a name unique to this process and run) holds one end of a veth pair and the publisher
(`tests/e2e/publisher.py`); the other end stays here, with a /30 of the benchmarking network 198.18.0.0/15
(RFC 2544: for test networks, routed nowhere) chosen at random and checked unused. The namespace has no
default route, so whatever the code under test does, its packets reach only this run's publisher. Both are
removed at the end, also when a test fails (and at exit, should the process be stopped first).

Tests reach the publisher by name through a `NameTable` resolver (`news.publisher.test`), or by its address
in a URL, and allow its network with `ARCHIVE_CAPTURE_ALLOW_NETWORKS`.
"""

from __future__ import annotations

import atexit
import ipaddress
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import pytest

from archive.capture import NameTable
from tests.conftest import ROOT

BENCHMARK_NETWORK = ipaddress.ip_network("198.18.0.0/15")
PUBLISHER_NAME = "news.publisher.test"
PORT = 8080


@dataclass(frozen=True)
class Publisher:
    namespace: str
    network: str
    address: str
    port: int

    def url(self, path: str, *, by_name: bool = True) -> str:
        host = PUBLISHER_NAME if by_name else self.address
        return f"http://{host}:{self.port}{path}"

    def resolver(self, **more: str) -> NameTable:
        """Answers the publisher's name (and the names given, each with its address) and no other."""
        names = {PUBLISHER_NAME: (self.address,), **{name: (address,) for name, address in more.items()}}
        return NameTable({name.replace("_", "."): answer for name, answer in names.items()})

    def most_at_once(self, key: str) -> int:
        """The most `/slow?key=…` pages the publisher was answering at one time."""
        url = f"http://{self.address}:{self.port}/most-at-once"
        return int(httpx2.get(url, params={"key": key}, trust_env=False).text)

    def asked(self, path: str) -> int:
        """How many times the publisher was asked for `path` (the count page is not a capture)."""
        response = httpx2.get(
            f"http://{self.address}:{self.port}/count", params={"path": path}, trust_env=False
        )
        return int(response.text)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


def _free_subnet() -> ipaddress.IPv4Network:
    """A /30 of the benchmarking network that no interface here uses (another run may hold some)."""
    listed = subprocess.run(
        ["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True, check=True
    ).stdout
    used = [
        ipaddress.ip_interface(word).network for line in listed.splitlines() for word in line.split()[3:4]
    ]
    subnets = [ipaddress.IPv4Network(subnet) for subnet in BENCHMARK_NETWORK.subnets(new_prefix=30)]
    for _ in range(100):
        candidate = random.choice(subnets)
        if not any(candidate.overlaps(network) for network in used):
            return candidate
    raise RuntimeError("no free /30 in the benchmarking network")


def _remove(namespace: str) -> None:
    subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30, check=False)


@pytest.fixture(scope="session", name="publisher")
def publisher_fixture() -> Iterator[Publisher]:
    tag = uuid.uuid4().hex[:8]
    namespace = f"archive-publisher-{tag}"
    outside, inside = f"apo{tag}", f"api{tag}"
    subnet = _free_subnet()
    here, there = (str(address) for address in list(subnet.hosts())[:2])
    atexit.register(_remove, namespace)
    process: subprocess.Popen[str] | None = None
    try:
        _ip("netns", "add", namespace)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", namespace)
        _ip("addr", "add", f"{here}/30", "dev", outside)
        _ip("link", "set", outside, "up")
        _ip("-n", namespace, "addr", "add", f"{there}/30", "dev", inside)
        _ip("-n", namespace, "link", "set", inside, "up")
        _ip("-n", namespace, "link", "set", "lo", "up")
        process = subprocess.Popen(
            ["ip", "netns", "exec", namespace, sys.executable, "-m", "tests.e2e.publisher", there, str(PORT)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        _wait_reachable(there)
        yield Publisher(namespace, str(subnet), there, PORT)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
        _remove(namespace)  # removes the veth pair with it


def _wait_reachable(address: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx2.get(f"http://{address}:{PORT}/count?path=/", trust_env=False, timeout=1)
            return
        except httpx2.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
