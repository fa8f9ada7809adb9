"""A real HTTP receiver on a free port, and an endpoint registered to it."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from portal.extensions import db
from portal.models import Role, User
from portal.webhooks.services import EVENTS, create_endpoint


@dataclass
class Received:
    headers: Message  # case-insensitive, as a receiver's framework reads them
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next (status, delay) in `script`, then 200; keeps what came."""

    url: str = ""
    script: list[tuple[int, float]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def verified(self, secret: str) -> list[dict]:
        """The bodies, each checked with the README's `verify` the way a receiver checks it."""
        verify = readme_verify()
        for request in self.received:
            assert verify(request.headers, request.body, secret), "bad signature or too old"
        return [json.loads(request.body) for request in self.received]


def readme_verify() -> Callable[[Message, bytes, str], bool]:
    """The `verify` function of the README's Python example, run as it is printed."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Webhooks", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README, the point of the test
    return namespace["verify"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received(self.headers, body))
            status, delay = state.script.pop(0) if state.script else (200, 0)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the portal gave up waiting and hung up
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def vendor(make) -> User:
    return make.user(Role.VENDOR)


@pytest.fixture
def endpoint(app, vendor, receiver) -> tuple[int, str]:
    """(id, secret) of an endpoint for every event, posting to the receiver."""
    with app.app_context():
        created, secret = create_endpoint(
            db.session.get(User, vendor.id), receiver.url, list(EVENTS)
        )
        return created.id, secret
