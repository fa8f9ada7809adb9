"""A logged-in HTTP client on the standard library: log in, time pages, download exports."""

import csv
import http.cookiejar
import io
import math
import re
import statistics
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Session:
    """An opener that keeps the portal's cookies, and the base URL it talks to."""

    base_url: str
    opener: urllib.request.OpenerDirector
    cookies: http.cookiejar.CookieJar

    def get(self, path: str, timeout: float = 60) -> bytes:
        """GET a page and read its body fully; raises on any status but 200."""
        with self.opener.open(self.base_url + path, timeout=timeout) as response:
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            return body

    def cookie_header(self) -> str:
        """The session cookie as a `Cookie:` header value, for wrk."""
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)


def log_in(base_url: str, email: str, password: str) -> Session:
    """Log in through the real form (CSRF token included) and return the session."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    session = Session(base_url, opener, cookies)
    token = CSRF.search(session.get("/auth/login").decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    with opener.open(base_url + "/auth/login", data=form.encode(), timeout=30) as response:
        response.read()
        # A successful log-in redirects away from the form; a failed one shows it again.
        if response.url.endswith("/auth/login"):
            raise RuntimeError(f"log-in as {email} failed")
    return session


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile of `samples` (share between 0 and 1)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def time_page(session: Session, path: str, requests: int) -> dict:
    """Request `path` `requests` times in a row; p50, p95 and max in ms, and the body size."""
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        body = session.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "path": path,
        "requests": requests,
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "max_ms": round(max(samples), 1),
        "bytes": len(body),
    }


def count_csv_rows(text: str) -> tuple[int, bool]:
    """Data rows of a report CSV (after the header, before the blank line), and whether the
    blank line and footnotes were reached — a cut-off file has no footnotes."""
    rows = -1  # the header is not a data row
    try:
        for record in csv.reader(io.StringIO(text)):
            if not record:
                return max(rows, 0), True
            rows += 1
    except csv.Error:  # cut inside a quoted field
        pass
    return max(rows, 0), False
