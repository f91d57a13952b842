"""A local RFC 3161 time-stamping authority for the tests: OpenSSL's `openssl ts -reply` behind a loopback
HTTP server, under a CA made for it with `openssl req`/`openssl x509`."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.loopback import loopback_server

_EXTENSIONS = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_tsa]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

_TS_CONFIG = """\
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = {serial}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@dataclass
class LocalAuthority:
    """A CA and a time-stamping certificate under it, in `folder`; `chain` puts the CA in every reply."""

    folder: Path
    chain: bool = False
    requests: int = 0

    @classmethod
    def make(cls, name: str, folder: Path, *, chain: bool = False) -> LocalAuthority:
        """A new CA and time-stamping key in `folder` (made if missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "x509.cnf").write_text(_EXTENSIONS)
        (folder / "ts.cnf").write_text(_TS_CONFIG.format(serial=folder / "serial"))
        (folder / "serial").write_text("01\n")
        ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
        _openssl(
            "req",
            "-x509",
            "-new",
            *ec,
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-config",
            "x509.cnf",
            "-extensions",
            "v3_ca",
            "-subj",
            f"/CN={name} Root CA",
            cwd=folder,
        )
        _openssl(
            "req",
            "-new",
            *ec,
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            f"/CN={name} TSA",
            cwd=folder,
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.pem",
            "-days",
            "3650",
            "-extfile",
            "x509.cnf",
            "-extensions",
            "v3_tsa",
            cwd=folder,
        )
        return cls(folder, chain)

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    def reply(self, query: bytes) -> bytes:
        with tempfile.TemporaryDirectory(dir=self.folder) as scratch:
            (Path(scratch) / "query.tsq").write_bytes(query)
            chain = ["-chain", str(self.ca_file)] if self.chain else []
            _openssl(
                "ts",
                "-reply",
                "-config",
                "ts.cnf",
                "-queryfile",
                f"{scratch}/query.tsq",
                "-signer",
                "tsa.pem",
                "-inkey",
                "tsa.key",
                *chain,
                "-out",
                f"{scratch}/reply.tsr",
                cwd=self.folder,
            )
            self.requests += 1
            return (Path(scratch) / "reply.tsr").read_bytes()

    def verify(self, data: Path, token: Path) -> subprocess.CompletedProcess[str]:
        """`openssl ts -verify` of a DER token over the file `data`, against this authority's CA."""
        return subprocess.run(
            [
                "openssl",
                "ts",
                "-verify",
                "-data",
                str(data),
                "-in",
                str(token),
                "-token_in",
                "-CAfile",
                str(self.ca_file),
            ],
            capture_output=True,
            text=True,
            check=False,
        )


def _handler(authority: LocalAuthority, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:  # one serial number file
                reply = authority.reply(query)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serving(authority: LocalAuthority, port: int = 0) -> Iterator[str]:
    """The authority over HTTP on 127.0.0.1; its URL."""
    with loopback_server(_handler(authority, threading.Lock()), port) as base:
        yield f"{base}/tsa"
