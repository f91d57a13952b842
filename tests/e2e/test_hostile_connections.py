"""Hostile connections against the real server, over real sockets: a huge header, too many header fields,
headers trickled in forever, a body that stalls. Each is answered and cut off; the service goes on
answering everyone else, and nothing a cut-off upload spooled is left behind."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import httpx2

from tests.e2e.server import Server, run_archive, serving


def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=20)


def _read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while True:
        try:
            chunk = connection.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return received
        if not chunk:
            return received
        received += chunk


def _send_quietly(connection: socket.socket, data: bytes) -> bool:
    """Send what the server will take; False once it has closed the connection."""
    try:
        connection.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def test_a_huge_header_is_431_and_others_are_served_meanwhile(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    with serving(tmp_path) as server:
        connection = _connect(server)
        assert _send_quietly(connection, b"GET /healthz HTTP/1.1\r\nHost: archive\r\nX-Padding: ")
        answers: list[int] = []

        def ask_meanwhile() -> None:
            answers.append(httpx2.get(f"{server.url}/healthz", timeout=10).status_code)

        asker = threading.Thread(target=ask_meanwhile)
        asker.start()  # while the huge header is being sent
        chunk = b"a" * 65536
        for _ in range(2048):  # up to 128 MiB, as the attack sent; the server stops it long before
            if not _send_quietly(connection, chunk):
                break
        response = _read_all(connection)
        connection.close()
        asker.join()
        assert response.startswith(b"HTTP/1.1 431 "), response[:200]
        assert b"connection: close" in response
        assert answers == [200]
        assert httpx2.get(f"{server.url}/healthz", timeout=10).status_code == 200


def test_too_many_header_fields_are_431(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    with serving(tmp_path, ARCHIVE_MAX_HEADERS="20") as server:
        connection = _connect(server)
        fields = b"".join(b"X-Field-%d: %d\r\n" % (n, n) for n in range(25))
        assert _send_quietly(connection, b"GET /healthz HTTP/1.1\r\nHost: archive\r\n" + fields + b"\r\n")
        response = _read_all(connection)
        connection.close()
        assert response.startswith(b"HTTP/1.1 431 "), response[:200]
        few = {f"X-Field-{n}": str(n) for n in range(10)}
        assert httpx2.get(f"{server.url}/healthz", headers=few, timeout=10).status_code == 200


def test_headers_trickled_in_are_cut_off(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    with serving(tmp_path, ARCHIVE_HEADER_TIMEOUT_SECONDS="1") as server:
        connection = _connect(server)
        assert _send_quietly(connection, b"GET /healthz HTTP/1.1\r\nHost: archive\r\n")
        stop = threading.Event()

        def trickle() -> None:
            line = 0
            while not stop.wait(0.2) and _send_quietly(connection, b"X-Line-%d: slowly\r\n" % line):
                line += 1

        trickler = threading.Thread(target=trickle)
        trickler.start()
        response = _read_all(connection)  # the socket's own timeout (20 s) would fail the test first
        stop.set()
        trickler.join()
        connection.close()
        assert response.startswith(b"HTTP/1.1 408 "), response[:200]
        assert b"did not arrive in time" in response
        assert httpx2.get(f"{server.url}/healthz", timeout=10).status_code == 200


def test_an_upload_whose_body_stalls_is_cut_off_and_leaves_nothing(tmp_path: Path) -> None:
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "slow").stdout.strip()
    with serving(tmp_path, ARCHIVE_BODY_TIMEOUT_SECONDS="1") as server:
        connection = _connect(server)
        boundary = b"stalling"
        opening = (
            b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        declared = 10_000_000
        head = (
            b"POST /v1/documents HTTP/1.1\r\nHost: archive\r\n"
            b"Authorization: Bearer " + key.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n"
            b"Content-Length: %d\r\n\r\n" % declared
        )
        assert _send_quietly(connection, head + opening + b"x" * 500_000)  # then nothing more
        response = _read_all(connection)
        connection.close()
        assert response.startswith(b"HTTP/1.1 408 "), response[:200]
        assert b"body stalled" in response

        staging = tmp_path / "blobs" / "staging"
        assert not staging.exists() or not list(staging.iterdir()), "the partial upload was removed"
        listed = httpx2.get(
            f"{server.url}/v1/documents", headers={"Authorization": f"Bearer {key}"}, timeout=60
        )
        assert listed.status_code == 200
        assert listed.json()["documents"] == []


def _slow_page() -> bytes:
    """A real page that takes the parsers seconds: 15,000 paragraphs of links and bold text (1.3 MB)."""
    body = "".join(
        f"<div><p>Paragraph {i} with <a href='/x{i}'>a link</a> and <b>bold</b> text.</p></div>"
        for i in range(15000)
    )
    return f"<html><head><title>Slow</title></head><body><article>{body}</article></body></html>".encode()


def test_a_short_text_and_reads_are_not_held_up_behind_slow_pages(tmp_path: Path) -> None:
    """What is asserted is the order things finish in, not how long they take: the short text and the
    reads are answered while the slow pages are still being parsed."""
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "archivist", "--name", "busy").stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    finished: list[str] = []
    lock = threading.Lock()
    with serving(tmp_path, ARCHIVE_EXTRACT_WORKERS="1", ARCHIVE_EXTRACT_TIMEOUT="30") as server:
        first = httpx2.post(
            f"{server.url}/v1/documents",
            files={"file": ("a.txt", b"An earlier note.\n")},
            headers=headers,
            timeout=60,
        )
        assert first.status_code == 201, first.text
        page = _slow_page()

        def upload_slow(number: int) -> None:
            response = httpx2.post(
                f"{server.url}/v1/documents",
                files={"file": (f"slow-{number}.html", page + str(number).encode(), "text/html")},
                headers=headers,
                timeout=300,
            )
            with lock:
                finished.append(f"slow {response.status_code}")

        slow = [threading.Thread(target=upload_slow, args=(n,)) for n in range(2)]
        for thread in slow:
            thread.start()
        staging = tmp_path / "blobs" / "staging"
        while len(list(staging.glob("upload-*"))) < 2:  # both received: one parsed, one queued
            threading.Event().wait(0.05)
        short = httpx2.post(
            f"{server.url}/v1/documents",
            files={"file": ("b.txt", b"A short note.\n")},
            headers=headers,
            timeout=300,
        )
        read = httpx2.get(
            f"{server.url}/v1/documents/{first.json()['document_id']}", headers=headers, timeout=300
        )
        with lock:
            finished.append(f"short {short.status_code}")
            finished.append(f"read {read.status_code}")
            slow_done_before = [entry for entry in finished if entry.startswith("slow")]
        for thread in slow:
            thread.join()
    assert slow_done_before == [], f"the short text waited for slow pages: {finished}"
    assert finished[:2] == ["short 201", "read 200"]
    assert sorted(finished[2:]) == ["slow 201"] * 2


def test_huge_chunked_trailers_are_431(tmp_path: Path) -> None:
    """Trailers after a chunked body are buffered by the parser like headers, and bounded like them."""
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    key = run_archive(tmp_path, "keys", "create", "--role", "auditor", "--name", "t").stdout.strip()
    with serving(tmp_path, ARCHIVE_MAX_HEADER_BYTES="8192") as server:
        connection = _connect(server)
        # A JSON body is read whole before any answer: the trailer is what the server is waiting on.
        head = (
            b"POST /v1/verify HTTP/1.1\r\nHost: archive\r\nAuthorization: Bearer " + key.encode() + b"\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        assert _send_quietly(connection, head + b"2\r\n{}\r\n0\r\nX-Trailer: ")
        for _ in range(256):  # up to 16 MiB of one trailer, in many reads
            if not _send_quietly(connection, b"t" * 65536):
                break
        response = _read_all(connection)
        connection.close()
        assert b"HTTP/1.1 431 " in response, response[:300]
        assert httpx2.get(f"{server.url}/healthz", timeout=10).status_code == 200


def test_a_body_sent_after_an_early_refusal_is_not_taken_for_headers(tmp_path: Path) -> None:
    """An upload without a key is refused (401) before its body is read; the client goes on sending the
    body it declared, which the server reads past without calling it an oversized next request."""
    assert run_archive(tmp_path, "db", "upgrade").returncode == 0
    with serving(tmp_path, ARCHIVE_MAX_HEADER_BYTES="8192") as server:
        connection = _connect(server)
        declared = 300_000
        head = (
            b"POST /v1/documents HTTP/1.1\r\nHost: archive\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n" % declared
        )
        _send_quietly(connection, head)
        for _ in range(declared // 10_000):
            _send_quietly(connection, b"y" * 10_000)
        connection.shutdown(socket.SHUT_WR)
        response = _read_all(connection)
        connection.close()
        assert response.startswith(b"HTTP/1.1 401 "), response[:300]
        assert b" 431 " not in response and b" 408 " not in response, response[-300:]
