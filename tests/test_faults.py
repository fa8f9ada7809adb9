"""Faults from outside the code: the database gone, full or read-only, the mail server down, a
client that leaves mid-download, a stream that fails after its first byte.

Each fault is real where it can be (a closed port, SQLite's own page limit, a read-only
session, a real SMTP server, a real HTTP connection); a database that dies in the middle of a
request is played by the database driver raising its own OperationalError on one statement.
"""

import asyncio
import http.client
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select, text
from werkzeug.serving import make_server

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, Requirement, Role, User, Vote
from portal.notify import queue
from tests.conftest import csrf_token, login


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@contextmanager
def fresh_connections(app, on_connect) -> Iterator[None]:
    """Every new database connection runs `on_connect(dbapi_connection)` until the block ends."""

    def listener(dbapi_connection, _record):
        on_connect(dbapi_connection)

    with app.app_context():
        engine = db.engine
        engine.dispose()
        event.listen(engine, "connect", listener)
    try:
        yield
    finally:
        with app.app_context():
            event.remove(engine, "connect", listener)
            engine.dispose()


@contextmanager
def failing_statement(app, marker: str) -> Iterator[None]:
    """The driver raises its OperationalError on the first statement containing `marker`, as
    when the server goes away in the middle of a request."""

    def before(conn, cursor, statement, parameters, context, executemany):
        if marker in statement:
            raise conn.dialect.loaded_dbapi.OperationalError("server closed the connection")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)


def vote_data(amount: str = "5000") -> dict:
    return {
        "importance": "important",
        "consent": "anonymous",
        "revenue_at_stake": amount,
        "currency": "USD",
    }


# -- The database --------------------------------------------------------------------------------


def test_unreachable_database_is_a_503_page_and_healthz_says_so(app, client, make):
    login(client, make.user(Role.PARTNER).email)
    down = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/gone",
    )
    visitor = down.test_client()
    visitor.set_cookie("session", client.get_cookie("session").value)  # logged in before

    page = visitor.get("/requirements")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "The database is not answering right now, so nothing was saved" in page.text
    health = visitor.get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "error", "database": "unreachable"}
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_database_lost_mid_vote_is_a_503_and_nothing_is_half_written(
    app, client, make, make_requirement, rates
):
    requirement = make_requirement()
    login(client, make.user(Role.PARTNER).email)
    token = csrf_token(client, f"/requirements/{requirement}")
    # The vote row is written (flushed) before recomputing the aggregates fails.
    with failing_statement(app, "UPDATE requirement SET"):
        response = client.post(
            f"/requirements/{requirement}/vote", data={"csrf_token": token, **vote_data()}
        )
    assert response.status_code == 503
    assert "nothing was saved" in response.text
    assert count(app, Vote) == 0
    with app.app_context():
        assert db.session.get(Requirement, requirement).vote_count == 0


def sqlite_only_pragma(pragma: str):
    def run(dbapi_connection):
        dbapi_connection.execute(pragma)

    return run


def test_full_sqlite_database_is_a_503_and_nothing_is_half_written(
    app, client, make, catalogue, database_url
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's page limit; PostgreSQL's full disk is the same OperationalError")
    product, topics = catalogue
    login(client, make.user(Role.PARTNER).email)
    token = csrf_token(client, "/requirements/new")
    with app.app_context():
        db.session.execute(text("VACUUM"))  # no free pages left to write into
        pages = db.session.execute(text("PRAGMA page_count")).scalar_one()
    # SQLite's own "database or disk is full" (SQLITE_FULL) once the file would need to grow.
    with fresh_connections(app, sqlite_only_pragma(f"PRAGMA max_page_count={pages}")):
        response = client.post(
            "/requirements/new",
            data={
                "csrf_token": token,
                "title": "Partners bill the customers themselves",
                "body": "A long description. " * 900,  # overflow pages: the file must grow
                "product": str(product),
                "topics": [str(topics[0])],
            },
        )
    assert response.status_code == 503
    assert "nothing was saved" in response.text
    assert count(app, Requirement) == 0 and count(app, AuditEvent) == 0


def read_only(database_url: str):
    if database_url.startswith("sqlite"):
        return sqlite_only_pragma("PRAGMA query_only = ON")

    def postgres(dbapi_connection):  # as on a hot standby after a failover
        dbapi_connection.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        dbapi_connection.commit()

    return postgres


def test_read_only_database_is_a_503_and_nothing_is_half_written(
    app, client, make, make_requirement, rates, database_url
):
    requirement = make_requirement()
    login(client, make.user(Role.PARTNER).email)
    token = csrf_token(client, f"/requirements/{requirement}")
    with fresh_connections(app, read_only(database_url)):
        response = client.post(
            f"/requirements/{requirement}/vote", data={"csrf_token": token, **vote_data()}
        )
        assert client.get(f"/requirements/{requirement}").status_code == 200  # reading works
    assert response.status_code == 503
    assert "nothing was saved" in response.text
    assert count(app, Vote) == 0 and count(app, AuditEvent) == 0


# -- Mail ----------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it receives and defers mail to `busy@…` (451)."""

    def __init__(self):
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("busy@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def queued(app, make):
    """Two queued messages, to ok@ and busy@."""
    users = [make.user(email="ok@example.com"), make.user(email="busy@example.com")]
    with app.app_context():
        queue([db.session.get(User, u.id) for u in users], "Status changed", "Planned now.")
        db.session.commit()


def mail_config(app, monkeypatch, port: int) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)


def unsent(app) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(OutboxMessage.to_email).where(
                    OutboxMessage.sent_at.is_(None), OutboxMessage.error == ""
                )
            )
        )


def test_smtp_down_keeps_mail_queued_and_the_next_run_sends_it(app, runner, queued, monkeypatch):
    port = free_port()
    mail_config(app, monkeypatch, port)
    down = runner.invoke(args=["send-mail"])
    assert down.exit_code == 1
    assert f"The mail server 127.0.0.1:{port} is unavailable" in down.output
    assert "2 stay queued for the next run" in down.output
    assert unsent(app) == ["busy@example.com", "ok@example.com"]

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop())
    controller.start()
    try:
        up = runner.invoke(args=["send-mail"])
    finally:
        controller.stop()
    assert up.exit_code == 0, up.output
    assert "Sent 1 message(s); 0 failed; 1 deferred by the server stay queued." in up.output
    assert inbox.received == ["ok@example.com"]
    assert unsent(app) == ["busy@example.com"]  # deferred (451): tried again next run


# -- Downloads -----------------------------------------------------------------------------------


@pytest.fixture
def vendor_client(app, make, board):
    client = app.test_client()
    login(client, make.user(Role.VENDOR).email)
    return client


def export_events(app) -> list[str]:
    with app.app_context():
        return [
            e.details["format"]
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action.like("export.%"))
            )
        ]


@pytest.mark.parametrize("url", ["/reports/vendor.csv", "/reports/vendor.xlsx"])
def test_client_leaving_mid_export_leaves_no_audit_event(app, vendor_client, url):
    response = vendor_client.get(url, buffered=False)
    assert response.status_code == 200
    next(iter(response.response))  # the first chunk arrives, then the client goes away
    response.close()
    assert export_events(app) == []
    whole = vendor_client.get(url)
    assert whole.status_code == 200 and whole.get_data()
    assert export_events(app) == [url.rsplit(".", 1)[1]]


def test_csv_export_whose_first_query_fails_is_an_error_page_not_an_empty_file(app, vendor_client):
    with failing_statement(app, "FROM requirement"):
        response = vendor_client.get("/reports/vendor.csv")
    assert response.status_code == 503 and "text/html" in response.content_type
    assert export_events(app) == []


@pytest.fixture
def live_server(app) -> Iterator[int]:
    """The app behind Werkzeug's HTTP server on a free port, for real connections."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=10)


def raw_get(port: int, path: str, cookie: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": f"session={cookie}"})
    return connection.getresponse()


def test_stream_failing_after_its_first_byte_breaks_the_connection(app, vendor_client, live_server):
    cookie = vendor_client.get_cookie("session").value
    with failing_statement(app, "INSERT INTO audit_event"):  # after the last row was sent
        response = raw_get(live_server, "/reports/vendor.csv", cookie)
        assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
    assert b"Partner billing for BPOS" in cut.value.partial  # rows came, the end never did
    assert export_events(app) == []
    complete = raw_get(live_server, "/reports/vendor.csv", cookie).read()
    assert complete.rstrip().endswith(b"consented to be named to the vendor.")
    assert export_events(app) == ["csv"]


def test_http10_client_gets_the_csv_with_its_length(app, vendor_client, live_server):
    """Without chunked framing a cut stream would look complete, so the length is sent."""
    cookie = vendor_client.get_cookie("session").value
    with socket.create_connection(("127.0.0.1", live_server), timeout=30) as connection:
        request = f"GET /reports/vendor.csv HTTP/1.0\r\nCookie: session={cookie}\r\n\r\n"
        connection.sendall(request.encode())
        received = b"".join(iter(lambda: connection.recv(65536), b""))  # until the server closes
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Transfer-Encoding" not in head
    assert f"Content-Length: {len(body)}".encode() in head
    assert body.rstrip().endswith(b"consented to be named to the vendor.")
    assert export_events(app) == ["csv"]
