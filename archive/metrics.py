"""The service's Prometheus metrics, defined once; the HTTP edge and the services both count into them."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "archive_http_requests_total",
    "HTTP requests answered, by route and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "archive_http_request_duration_seconds",
    "Time to answer, by route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
UPLOAD_BYTES = Counter("archive_upload_bytes_total", "Bytes of uploaded files received.")
FIXITY_RESULTS = Counter("archive_fixity_results_total", "Fixity checks recorded, by result.", ["status"])
