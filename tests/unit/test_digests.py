"""One-pass digests: equal to the one-shot hashes, to the official vectors and to b3sum."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

import blake3
import pytest

from archive.digests import (
    CHUNK_SIZE,
    INDEX_PIECE_BYTES,
    ChunkIndexer,
    Digester,
    UploadSpool,
    digest_bytes,
    pieces_of,
    spool_stream,
)
from archive.errors import UploadTooLarge

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# From the BLAKE3 team's test_vectors.json: input byte i is i % 251; the first 32 bytes of output.
OFFICIAL = {
    0: "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    1: "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
    1023: "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
    1024: "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
    2048: "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
    102400: "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085",
}
BOUNDARY_SIZES = [0, 1, 1023, 1024, 1025]


def vector_input(length: int) -> bytes:
    return bytes(i % 251 for i in range(length))


@pytest.mark.parametrize("length", sorted(OFFICIAL))
def test_official_blake3_vectors(length: int) -> None:
    assert digest_bytes(vector_input(length)).blake3 == OFFICIAL[length]


@pytest.mark.parametrize("length", BOUNDARY_SIZES)
def test_boundary_sizes_match_the_libraries_one_shot_hashes(length: int) -> None:
    data = vector_input(length)
    digests = digest_bytes(data)
    assert digests.blake3 == blake3.blake3(data).hexdigest()
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.size == length


@pytest.mark.parametrize("length", BOUNDARY_SIZES)
def test_blake3_matches_b3sum(length: int, tmp_path: Path) -> None:
    b3sum = shutil.which("b3sum")
    assert b3sum is not None, "b3sum must be installed (scripts/test installs it)"
    path = tmp_path / "input"
    path.write_bytes(vector_input(length))
    printed = subprocess.run([b3sum, "--no-names", str(path)], capture_output=True, text=True, check=True)
    assert digest_bytes(path.read_bytes()).blake3 == printed.stdout.strip()


@pytest.mark.parametrize("split", [1, 7, 1024, 1025, 4096])
def test_chunking_does_not_change_the_digests(split: int) -> None:
    data = vector_input(10_000)
    digester = Digester()
    for start in range(0, len(data), split):
        digester.update(data[start : start + split])
    assert digester.digests() == digest_bytes(data)


def test_spool_holds_the_exact_bytes(tmp_path: Path) -> None:
    data = vector_input(3 * CHUNK_SIZE + 17)
    upload = spool_stream(io.BytesIO(data), tmp_path)
    assert upload.path.read_bytes() == data
    assert upload.digests == digest_bytes(data)
    upload.discard()
    assert not upload.path.exists()


def test_spool_over_its_limit_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(UploadTooLarge):
        spool_stream(io.BytesIO(b"x" * 101), tmp_path, limit=100)
    assert list(tmp_path.iterdir()) == []


def test_spool_removes_its_file_when_abandoned(tmp_path: Path) -> None:
    with UploadSpool(tmp_path, None) as spool:
        spool.write(b"partial")
    assert list(tmp_path.iterdir()) == []


class _Endless(io.RawIOBase):
    """A readable stream of `size` bytes that never exist in memory all at once."""

    def __init__(self, size: int) -> None:
        self.remaining = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer)
        n = min(len(view), self.remaining)
        view[:n] = b"\xa5" * n
        self.remaining -= n
        return n


def test_memory_does_not_grow_with_the_upload(tmp_path: Path) -> None:
    size = 64 * 1024 * 1024
    tracemalloc.start()
    try:
        upload = spool_stream(io.BufferedReader(_Endless(size), CHUNK_SIZE), tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert upload.digests.size == size
    # A few chunks in flight (the reader's buffer, the chunk, the test stream's fill), never the upload.
    assert peak < 8 * CHUNK_SIZE, f"peak {peak} bytes for a {size}-byte upload"


def piecewise_index(data: bytes) -> bytes:
    """The chunk index as its definition says: the BLAKE3 of each 1 MiB piece, concatenated."""
    pieces = [data[start : start + INDEX_PIECE_BYTES] for start in range(0, len(data), INDEX_PIECE_BYTES)]
    return b"".join(blake3.blake3(piece).digest() for piece in pieces)


@pytest.mark.parametrize("feed", [1, 4096, 700_001, CHUNK_SIZE, 3 * CHUNK_SIZE])
@pytest.mark.parametrize("length", [INDEX_PIECE_BYTES + 1, 2 * INDEX_PIECE_BYTES, 3 * INDEX_PIECE_BYTES + 77])
def test_the_chunk_index_does_not_depend_on_how_the_bytes_were_fed(length: int, feed: int) -> None:
    data = bytes(i % 253 for i in range(length))
    indexer = ChunkIndexer()
    for start in range(0, length, feed):
        indexer.update(data[start : start + feed])
    assert indexer.index() == piecewise_index(data)
    assert len(indexer.index()) == 32 * pieces_of(length)


@pytest.mark.parametrize("length", [0, 1, INDEX_PIECE_BYTES])
def test_a_blob_of_one_piece_has_no_chunk_index(length: int, tmp_path: Path) -> None:
    spooled = spool_stream(io.BytesIO(b"x" * length), tmp_path)
    assert spooled.chunk_index is None
    assert Digester(index_chunks=True).chunk_index() is None


def test_a_spooled_upload_carries_its_chunk_index(tmp_path: Path) -> None:
    data = bytes(range(256)) * (INDEX_PIECE_BYTES // 128)  # two pieces
    spooled = spool_stream(io.BytesIO(data), tmp_path)
    assert spooled.chunk_index == piecewise_index(data)
    digester = Digester()
    digester.update(data)
    assert digester.chunk_index() is None, "indexing is asked for, not paid by every digester"
