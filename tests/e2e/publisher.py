"""A news publisher for the capture tests, run inside a network namespace of the test run's own.

`python -m tests.e2e.publisher HOST PORT` serves:
- `/steady`: an article whose text never changes, framed by an advert, a clock and a related-links box that
  change on every request (none of that is what the article says);
- `/corrected`: an article whose casualty figure is corrected from the third request on;
- `/gzip`: the steady article, gzip-coded;
- `/slow`: the steady article after a wait (`?seconds=N`), to kill a worker mid-capture;
- `/most-at-once?key=K`: the most `/slow?key=K` pages it was answering at one time;
- `/big`: more bytes than the tests allow a capture;
- `/busy`: 503 with `Retry-After: 120`;
- `/redirect?to=URL`: a 302 to `to`; `/loop`: a redirect to itself, for ever;
- `/count?path=P`: how many times the target P (path and query) was asked for.
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ASKED: Counter[str] = Counter()
IN_FLIGHT: Counter[str] = Counter()  # slow pages being answered now, per key
MOST_IN_FLIGHT: Counter[str] = Counter()  # the most answered at once, per key
LOCK = threading.Lock()

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Flood waters recede in the river valley</title>
<meta property="og:title" content="Flood waters recede in the river valley">
<meta name="author" content="Maria Lindqvist">
<meta property="article:published_time" content="2026-11-30T08:00:00+00:00">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div class="clock">Page generated at {clock}</div></header>
<aside class="advert"><p>{advert}</p></aside>
<article>
<h1>Flood waters recede in the river valley</h1>
<p class="byline">By Maria Lindqvist</p>
<p>Flood waters began to recede on Sunday across the river valley, a week after the worst rains the region
has seen in forty years, officials said.</p>
<p>The regional authority said {figure} people had been evacuated from low-lying villages since the river
first broke its banks, and that temporary shelters in three towns would stay open until the end of the
month.</p>
<p>Engineers spent the weekend inspecting the dikes along the lower reaches of the river, where the water
had reached the top of the embankments on Thursday night before the rain eased.</p>
{correction}<p>Farmers in the valley said it would take months before the fields could be planted
again, and called on the government to speed up the payment of compensation promised after last
year's floods.</p>
</article>
<aside class="related"><h2>Related</h2><ul>{related}</ul></aside>
<footer><p>Copyright the Valley Courier</p></footer>
</body></html>
"""
ADVERTS = ("Buy the new Aurora phone today", "Holidays in the sun from 199", "Insurance that listens")
RELATED = (
    "Bridge reopens after repairs",
    "School term starts late",
    "Council approves budget",
    "Train strike ends",
)


CORRECTION = (
    "<p><em>Correction: An earlier version of this article misstated the number of people evacuated. "
    "It was 12,000, not 1,200.</em></p>"
)


def article(count: int, figure: str = "1,200", correction: str = "") -> bytes:
    related = "".join(f'<li><a href="/r{n}">{RELATED[(count + n) % len(RELATED)]}</a></li>' for n in range(3))
    return ARTICLE.format(
        clock=time.strftime("%H:%M:%S") + f".{count}",
        advert=ADVERTS[count % len(ADVERTS)],
        figure=figure,
        correction=correction,
        related=related,
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        with LOCK:  # counted per target, so that tests asking with a key of their own count apart
            ASKED[self.path] += 1
            count = ASKED[self.path]
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.send(404, b"not here\n", "text/plain")
            return
        route(count, query)

    def send(self, status: int, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def route_steady(self, count: int, query: dict[str, str]) -> None:
        self.send(200, article(count), "text/html; charset=utf-8")

    def route_corrected(self, count: int, query: dict[str, str]) -> None:
        corrected = article(count, "12,000", CORRECTION) if count >= 3 else article(count)
        self.send(200, corrected, "text/html; charset=utf-8")

    def route_gzip(self, count: int, query: dict[str, str]) -> None:
        body = gzip.compress(article(count))
        self.send(200, body, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})

    def route_slow(self, count: int, query: dict[str, str]) -> None:
        key = query.get("key", "")
        with LOCK:
            IN_FLIGHT[key] += 1
            MOST_IN_FLIGHT[key] = max(MOST_IN_FLIGHT[key], IN_FLIGHT[key])
        try:
            time.sleep(float(query.get("seconds", "5")))
            self.send(200, article(count) + query.get("n", "").encode(), "text/html; charset=utf-8")
        finally:
            with LOCK:
                IN_FLIGHT[key] -= 1

    def route_most_at_once(self, count: int, query: dict[str, str]) -> None:
        with LOCK:
            most = MOST_IN_FLIGHT[query["key"]]
        self.send(200, str(most).encode(), "text/plain")

    def route_big(self, count: int, query: dict[str, str]) -> None:
        self.send(200, b"x" * 300_000, "text/plain")

    def route_busy(self, count: int, query: dict[str, str]) -> None:
        self.send(503, b"come back later\n", "text/plain", {"Retry-After": "120"})

    def route_redirect(self, count: int, query: dict[str, str]) -> None:
        self.send(302, b"", "text/plain", {"Location": query["to"]})

    def route_loop(self, count: int, query: dict[str, str]) -> None:
        self.send(302, b"", "text/plain", {"Location": "/loop"})

    def route_count(self, count: int, query: dict[str, str]) -> None:
        with LOCK:
            asked = ASKED[query["path"]]
        self.send(200, str(asked).encode(), "text/plain")


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    server = ThreadingHTTPServer((host, port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
