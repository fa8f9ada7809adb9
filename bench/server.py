"""gunicorn as production runs it (2 sync workers, default 30 s timeout), started for one bench run.

The master process is ours; its workers are found through /proc so their memory can be read.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import CACHE, ROOT

WORKERS = 2
WORKER_TIMEOUT_S = 30  # gunicorn's default, stated here so the report can quote it


@dataclass
class Server:
    """A running gunicorn: its base URL, master pid and log file."""

    base_url: str
    pid: int
    log: Path

    def worker_pids(self) -> list[int]:
        """The master's child processes (the sync workers)."""
        children = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError):
                fields = dict(
                    line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
                )
                if int(fields["PPid"]) == self.pid:
                    children.append(int(status.parent.name))
        return sorted(children)

    def worker_memory_mb(self, field: str = "VmRSS") -> dict[int, float]:
        """Each worker's resident memory (VmRSS) or its peak (VmHWM), in MB."""
        memory = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(field + ":"):
                        memory[pid] = int(line.split()[1]) / 1024
        return memory

    def timeouts_logged(self) -> int:
        """How many times gunicorn has reported a worker timeout (and killed that worker)."""
        return self.log.read_text(errors="replace").count("WORKER TIMEOUT")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    """Poll `url` until it answers 200; fail if gunicorn exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before {url} answered")
        with contextlib.suppress(OSError, urllib.error.URLError):
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def gunicorn(
    app: str, label: str, database_url: str | None = None, ready_path: str = "/healthz"
) -> Iterator[Server]:
    """Run `gunicorn -w 2 -b 127.0.0.1:PORT APP` until the block ends; its log is
    bench/.cache/gunicorn-LABEL.log. Yields a Server once both workers are up."""
    port = free_port()
    env = dict(os.environ)
    if database_url:
        env["DATABASE_URL"] = database_url
    CACHE.mkdir(exist_ok=True)
    log = CACHE / f"gunicorn-{label}.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", app],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(base_url + ready_path, process)
        server = Server(base_url=base_url, pid=process.pid, log=log)
        for _ in range(300):  # the second worker may still be booting
            if len(server.worker_pids()) >= WORKERS:
                break
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
