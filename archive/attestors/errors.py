"""What talking to a witness or a time-stamping authority can end in, as branches of the project's one
exception tree (`archive.errors`)."""

from __future__ import annotations

from archive.errors import ArchiveError


class AttestorUnavailable(ArchiveError):
    """Not reached, timed out, or a server error: try again at the next interval."""

    title = "Attestor unavailable"


class AttestationRefused(ArchiveError):
    """The attestor answered, and refused (tlog-witness 400, 403, 404, 422; a time-stamp not granted) or
    answered something that does not check out: the log's operator must look."""

    title = "Attestation refused"


class WitnessConflict(ArchiveError):
    """A witness's 409: it last cosigned another tree size than the one the request started from."""

    title = "Witness holds another tree size"

    def __init__(self, witness: str, size: int) -> None:
        super().__init__(f"witness {witness} last cosigned a tree of {size} leaves", size=size)
        self.size = size
