"""Download the vendor report's exports over HTTP and check they arrived whole.

A gunicorn sync worker is killed after 30 s without finishing; a streamed CSV is then cut mid-way
and the client sees an incomplete chunked body. That must show as FAILED, never as a small file.
"""

import http.client
import io
import time
import urllib.error
import zipfile

from bench.client_http import Session, count_csv_rows
from bench.server import WORKER_TIMEOUT_S, Server

CHUNK = 64 * 1024


def fetch(session: Session, path: str, timeout: float) -> dict:
    """GET `path` to the end; time, bytes, body, and the error that stopped it, if any.

    A large export answers with its job's progress page: poll it until the file is ready, then
    download it, all within `timeout`.
    """
    started = time.perf_counter()
    body = io.BytesIO()
    error, job = None, None
    try:
        url = session.base_url + path
        with session.opener.open(url, timeout=timeout) as response:
            job = response.geturl() if "/reports/exports/" in response.geturl() else None
            if job is None:
                error = None if response.status == 200 else f"HTTP {response.status}"
                _read(response, body)
        if job is not None:
            error = _wait_for_job(session, job, started + timeout)
            if error is None:
                with session.opener.open(job + "/download", timeout=timeout) as response:
                    _read(response, body)
    except (http.client.HTTPException, urllib.error.URLError, OSError) as exc:
        if isinstance(exc, TimeoutError) or "timed out" in str(exc):
            error = f"timed out (the client gave up after {timeout:.0f} s)"
        else:
            error = f"{type(exc).__name__}: {exc}"[:120]
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "bytes": body.tell(),
        "body": body.getvalue(),
        "error": error,
        "job": job is not None,
    }


def _read(response, body: io.BytesIO) -> None:
    while chunk := response.read(CHUNK):
        body.write(chunk)


def _wait_for_job(session: Session, url: str, deadline: float) -> str | None:
    """Poll an export job's page until it is ready (None) or failed (the reason)."""
    while time.perf_counter() < deadline:
        with session.opener.open(url, timeout=30) as response:
            page = response.read().decode("utf-8", errors="replace")
        if "Ready." in page:
            return None
        if "could not be built" in page or "stopped before" in page:
            return "the export job failed"
        time.sleep(0.5)
    return "timed out waiting for the export job"


def memory_around(server: Server, action):
    """Run `action()` and return its result with the workers' RSS before and after, in MB."""
    before = server.worker_memory_mb()
    result = action()
    after = server.worker_memory_mb()
    peak = server.worker_memory_mb("VmHWM")
    # A worker killed by the timeout is replaced, and its growth is lost with it.
    replaced = [pid for pid in before if pid not in after]
    growth = max((after[pid] - before[pid] for pid in before if pid in after), default=0.0)
    result.update(
        rss_before_mb=round(sum(before.values()), 1),
        rss_after_mb=round(sum(after.values()), 1),
        rss_growth_mb=None if replaced else round(growth, 1),
        worker_peak_mb=round(max(peak.values(), default=0.0), 1),
        workers_replaced=len(replaced),
    )
    return result


def csv_export(session: Session, server: Server, expected_rows: int) -> dict:
    """Download /reports/vendor.csv; count its data rows and judge whether it is complete."""
    timeouts = server.timeouts_logged()
    result = memory_around(server, lambda: fetch(session, "/reports/vendor.csv", timeout=120))
    rows, footnotes = count_csv_rows(result.pop("body").decode("utf-8", errors="replace"))
    killed = server.timeouts_logged() - timeouts
    problems = [result["error"]] if result["error"] else []
    if not footnotes:
        problems.append("no footnotes (cut off)")
    if rows != expected_rows:
        problems.append(f"{rows} of {expected_rows} rows")
    if killed:
        problems.append(f"gunicorn logged {killed} worker timeout(s)")
    result.update(rows=rows, expected_rows=expected_rows, complete=not problems, problems=problems)
    return result


def binary_export(session: Session, server: Server, path: str, timeout: float) -> dict:
    """Download an XLSX or PDF; complete means a 200 and a whole file (the time says the rest)."""
    timeouts = server.timeouts_logged()
    result = memory_around(server, lambda: fetch(session, path, timeout=timeout))
    body = result.pop("body")
    killed = server.timeouts_logged() - timeouts
    problems = [result["error"]] if result["error"] else []
    if path.endswith(".xlsx") and not result["error"]:
        if not zipfile.is_zipfile(io.BytesIO(body)):
            problems.append("not a whole XLSX (zip) file")
    if path.endswith(".pdf") and not result["error"] and not body.rstrip().endswith(b"%%EOF"):
        problems.append("not a whole PDF")
    if killed:
        problems.append(f"gunicorn logged {killed} worker timeout(s)")
    result.update(
        within_worker_timeout=result["seconds"] < WORKER_TIMEOUT_S,
        complete=not problems,
        problems=problems,
    )
    return result
