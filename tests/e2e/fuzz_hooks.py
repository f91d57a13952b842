"""Schemathesis hooks for `test_fuzz.py` (loaded by the fuzzer's process through `SCHEMATHESIS_HOOKS`).

The fuzzer draws `Idempotency-Key` values from a small space and sends the same key with different bodies,
which the archive rightly refuses with 422 (the key names one request; `test_idempotency.py` tests that
rule). No schema can say "a key once used must come with the same body", so a well-formed key is made
unique per request here; a malformed one is left as drawn, for the negative checks to see refused.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import schemathesis
from hypothesis import strategies

_WELL_FORMED_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]
) -> None:
    headers = case.headers
    if headers is None:
        return
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and _WELL_FORMED_KEY.match(value):
            headers[name] = f"fuzz-{uuid.uuid4().hex}"


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


# `http-date` (RFC 9110 5.6.7, in the OpenAPI Format Registry) is a format schemathesis does not know: this
# teaches it to draw them, over every year an HTTP date can name.
schemathesis.openapi.format("http-date", strategies.datetimes(timezones=strategies.just(UTC)).map(_http_date))
