"""Throughput: requests per second under concurrent load, with wrk or a Python fallback.

wrk (`apt-get install wrk`) is preferred: a Python client saturates long before gunicorn does, so
its figure is a lower bound. Either way, quote the ratio to hello-world measured by the same tool.
"""

import re
import shutil
import subprocess
import threading
import time
import urllib.request

THREADS, CONNECTIONS, SECONDS = 2, 8, 10


def wrk(url: str, cookie: str = "", seconds: int = SECONDS) -> dict:
    """`wrk -t2 -c8 -d10s URL` (with the session cookie); requests/s and non-2xx answers."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(  # noqa: S603 - wrk from PATH with our arguments
        command, capture_output=True, text=True, check=True
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "tool": "wrk",
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "bad_responses": int(errors.group(1)) if errors else 0,
    }


def cookie_request(url: str, cookie: str) -> urllib.request.Request:
    """A GET of `url` carrying the session cookie (our own http:// server)."""
    return urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310


def python_load(url: str, cookie: str = "", seconds: int = SECONDS) -> dict:
    """The fallback: CONNECTIONS threads requesting `url` back to back for `seconds`."""
    counts = {"done": 0, "bad": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        request = cookie_request(url, cookie)
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                counts["done"] += 1
                counts["bad"] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "tool": "python threads",
        "requests_per_s": round(counts["done"] / (time.monotonic() - started), 1),
        "bad_responses": counts["bad"],
    }


def check_answers(url: str, cookie: str = "") -> None:
    """Fail unless `url` answers 200 itself: wrk counts a redirect to the log-in form as success."""
    request = cookie_request(url, cookie)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our server
        if response.status != 200 or response.url != url:
            raise RuntimeError(f"{url} answered {response.status} at {response.url}")


def throughput(url: str, cookie: str = "") -> dict:
    """Requests/s at `url` with wrk when it is installed, else the Python fallback."""
    check_answers(url, cookie)
    if shutil.which("wrk"):
        return wrk(url, cookie)
    return python_load(url, cookie)
