"""Blobs as objects in any S3-compatible store (AWS S3, MinIO, Ceph RGW, Garage) through boto3.

Writes are conditional (`If-None-Match: *`), so an object is never overwritten, and carry the SHA-256 of the
bytes so the server verifies the transfer (per part for multipart uploads, whose full-object SHA-256 is kept
in the object's metadata). Every botocore error is translated at this boundary.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.response import StreamingBody

from archive.config import S3StorageLocation, Settings
from archive.digests import CHUNK_SIZE, DIGEST_HEX, SpooledUpload
from archive.errors import BlobNotFound, StorageUnavailable
from archive.storage.base import CHECKSUMS, CONDITIONAL_WRITES, ByteRange, StoredBlob, blob_key

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client
    from types_boto3_s3.type_defs import CompletedPartTypeDef

_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
_PRECONDITION_CODES = {"412", "PreconditionFailed"}
# A concurrent conditional write of the same key: the other writer stores the same bytes.
_CONFLICT_CODES = {"409", "ConditionalRequestConflict"}
# Bytes whose checksum does not match the one sent (the codes AWS and compatible servers answer with).
_BAD_DIGEST_CODES = {"BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch", "XAmzContentSHA256Mismatch"}


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def _translated(action: str, blake3: str | None = None) -> Iterator[None]:
    """Map botocore's exceptions to the project's, in one place."""
    try:
        yield
    except ClientError as exc:
        code = _error_code(exc)
        if blake3 is not None and code in _MISSING_CODES:
            raise BlobNotFound(blake3) from None
        raise StorageUnavailable(f"S3 {action} failed: {code or exc}") from exc
    except BotoCoreError as exc:
        raise StorageUnavailable(f"S3 {action} failed: {type(exc).__name__}") from exc  # no endpoint named


class S3BlobStore:
    def __init__(
        self,
        client: S3Client,
        bucket: str,
        prefix: str = "",
        multipart_threshold: int = 64 * 1024 * 1024,
        multipart_chunk_size: int = 16 * 1024 * 1024,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.multipart_threshold = multipart_threshold
        self.multipart_chunk_size = multipart_chunk_size

    @classmethod
    def from_settings(cls, settings: Settings, location: S3StorageLocation) -> S3BlobStore:
        config = Config(
            connect_timeout=settings.s3_connect_timeout,
            read_timeout=settings.s3_read_timeout,
            retries={"max_attempts": settings.s3_max_attempts, "mode": "standard"},
            s3={"addressing_style": settings.s3_addressing_style},
            request_checksum_calculation=settings.s3_request_checksum_calculation,
            response_checksum_validation="when_required",
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            config=config,
        )
        return cls(
            client,
            location.bucket,
            location.prefix,
            settings.s3_multipart_threshold,
            settings.s3_multipart_chunk_size,
        )

    def key(self, blake3: str) -> str:
        key = blob_key(blake3)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _exists(self, blake3: str) -> bool:
        try:
            self.size(blake3)
        except BlobNotFound:
            return False
        return True

    def put_if_absent(self, upload: SpooledUpload, media_type: str) -> bool:
        digests = upload.digests
        if self._exists(digests.blake3):
            return False
        metadata = {"blake3": digests.blake3, "sha256": digests.sha256}
        try:
            with _translated("put", None):
                if digests.size < self.multipart_threshold:
                    self._put_whole(upload, media_type, metadata)
                else:
                    self._put_multipart(upload, media_type, metadata)
        except StorageUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, ClientError) and _error_code(cause) in (
                _PRECONDITION_CODES | _CONFLICT_CODES
            ):
                return False
            raise
        return True

    def replace(self, upload: SpooledUpload, media_type: str) -> None:
        """A put without the condition: S3 swaps an object whole, so readers see the old or the new."""
        digests = upload.digests
        metadata = {"blake3": digests.blake3, "sha256": digests.sha256}
        with _translated("put", None):
            if digests.size < self.multipart_threshold:
                self._put_whole(upload, media_type, metadata, overwrite=True)
            else:
                self._put_multipart(upload, media_type, metadata, overwrite=True)

    def _put_whole(
        self, upload: SpooledUpload, media_type: str, metadata: dict[str, str], *, overwrite: bool = False
    ) -> None:
        with upload.open() as body:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(upload.digests.blake3),
                Body=body,
                ContentLength=upload.digests.size,
                ContentType=media_type,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=upload.digests.sha256_base64,
                Metadata=metadata,
                **_condition(overwrite=overwrite),
            )

    def _put_multipart(
        self, upload: SpooledUpload, media_type: str, metadata: dict[str, str], *, overwrite: bool = False
    ) -> None:
        key = self.key(upload.digests.blake3)
        created = self.client.create_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            ContentType=media_type,
            ChecksumAlgorithm="SHA256",
            Metadata=metadata,
        )
        upload_id = created["UploadId"]
        try:
            parts = self._upload_parts(upload, key, upload_id)
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                **_condition(overwrite=overwrite),
            )
        except BaseException:
            with _translated("abort multipart upload"):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    def _upload_parts(self, upload: SpooledUpload, key: str, upload_id: str) -> list[CompletedPartTypeDef]:
        parts: list[CompletedPartTypeDef] = []
        with upload.open() as source:
            number = 1
            while part := source.read(self.multipart_chunk_size):
                checksum = base64.b64encode(hashlib.sha256(part).digest()).decode("ascii")
                answer = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=part,
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=checksum,
                )
                parts.append({"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": checksum})
                number += 1
        return parts

    def size(self, blake3: str) -> int:
        with _translated("head", blake3):
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(blake3))
        return int(head["ContentLength"])

    def read(self, blake3: str, byte_range: ByteRange | None = None) -> Iterator[bytes]:
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(blake3)}
        if byte_range is not None:
            request["Range"] = f"bytes={byte_range.start}-{byte_range.end}"
        with _translated("get", blake3):
            answer = self.client.get_object(**request)
        return self._chunks(answer["Body"], blake3)

    @staticmethod
    def _chunks(body: StreamingBody, blake3: str) -> Iterator[bytes]:
        try:
            with _translated("read", blake3):
                while chunk := body.read(CHUNK_SIZE):
                    yield chunk
        finally:
            body.close()

    def iter_blobs(self) -> Iterator[StoredBlob]:
        listing = f"{self.prefix}/blake3/" if self.prefix else "blake3/"
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=listing)
        with _translated("list"):
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"].rsplit("/", 1)[-1]
                    if DIGEST_HEX.match(name) and item["Key"] == self.key(name):
                        yield StoredBlob(name, item["LastModified"])

    def delete(self, blake3: str) -> None:
        with _translated("delete"):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(blake3))

    def check(self) -> None:
        with _translated("head bucket"):
            self.client.head_bucket(Bucket=self.bucket)

    def unkept_guarantees(self) -> dict[str, str]:
        """Tries the two promises under `<prefix>/.probe/`, and removes what it wrote."""
        key = f"{self.prefix}/.probe/{uuid.uuid4().hex}" if self.prefix else f".probe/{uuid.uuid4().hex}"
        body = b"archive storage probe"
        wrong = base64.b64encode(hashlib.sha256(body + b"!").digest()).decode("ascii")
        unkept: dict[str, str] = {}
        try:
            with _translated("probe"):
                self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*")
            if self._accepted(Key=key, Body=body, IfNoneMatch="*"):
                unkept[CONDITIONAL_WRITES] = (
                    "conditional writes (If-None-Match: *) are ignored: a blob could be overwritten"
                )
            if self._accepted(Key=f"{key}.checksum", Body=body, ChecksumSHA256=wrong):
                unkept[CHECKSUMS] = (
                    "a wrong x-amz-checksum-sha256 is accepted: the store does not check bytes in transit "
                    "(the archive's own digests, checked on read and by audits, still do)"
                )
        finally:
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": key}, {"Key": f"{key}.checksum"}], "Quiet": True},
                )
        return unkept

    def _accepted(self, **put: Any) -> bool:
        """Whether storage took a probe write. Only the refusal asked about is an answer (a failed
        precondition, a bad digest); anything else is an outage, raised, and tried again later."""
        with _translated("probe"):
            try:
                self.client.put_object(Bucket=self.bucket, **put)
            except ClientError as exc:
                if _error_code(exc) in _PRECONDITION_CODES | _CONFLICT_CODES | _BAD_DIGEST_CODES:
                    return False
                raise
        return True


def _condition(*, overwrite: bool) -> dict[str, Any]:
    """The write's precondition: none to repair a blob, else "only if nothing is there" (If-None-Match)."""
    return {} if overwrite else {"IfNoneMatch": "*"}
