"""Identity providers for the single sign-on tests, served over HTTP on free local ports.

`mock_provider` runs oidc-provider-mock, a real OpenID Connect provider whose authorisation form
takes the subject to sign in; `identity` sets that subject's claims. `ForgingProvider` is a small
provider whose ID token each test composes (audience, expiry, nonce, signing key), for the
refusals a well-behaved provider never produces. Both are reached by the portal's real Authlib
client: discovery, code exchange, key set and every check.
"""

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

import requests
from flask import Flask, jsonify, redirect, request
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import run_server_in_thread
from werkzeug.serving import make_server

from config import TestConfig
from portal import create_app

CLIENT_ID = "channel-voice"
CLIENT_SECRET = "portal-client-secret"  # noqa: S105 - a test client's secret
BUTTON_LABEL = "Northgate ID"


@contextmanager
def mock_provider() -> Iterator[str]:
    """oidc-provider-mock on a free port; yields its issuer URL."""
    with run_server_in_thread(port=0, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def identity(issuer: str, subject: str, **claims) -> None:
    """Set the claims the mock provider issues for this subject (e-mail, email_verified, name)."""
    answer = requests.put(f"{issuer}/users/{subject}", json=claims, timeout=5)
    assert answer.status_code == 204, answer.text


def sso_app(database_url: str, issuer: str) -> Flask:
    """The portal with single sign-on through `issuer`, on the tests' (migrated) database."""
    return create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        OIDC_ISSUER=issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_BUTTON_LABEL=BUTTON_LABEL,
    )


def local_path(url: str) -> str:
    """`http://localhost/auth/oidc/callback?code=…` → the path and query, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in(client: FlaskClient, subject: str, tamper=None):
    """Go through the flow with the test client, the provider answering for `subject`.

    `tamper` may rewrite the callback URL before the portal sees it; returns the callback's
    response.
    """
    start = client.get("/auth/oidc/login")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    form = {"sub": subject} if subject else {"action": "deny"}
    answer = requests.post(start.headers["Location"], data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    callback = answer.headers["Location"]
    return client.get(local_path(tamper(callback) if tamper else callback))


class ForgingProvider:
    """A provider that signs in at once and issues the ID token the test composed.

    By default the token is valid; `claims` overrides or adds claims (`aud`, `exp`, `nonce`…;
    None leaves one out), and `sign_with` signs it with another key than the published one.
    """

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "forger"}, private=True)
        self.sign_with = self.key
        self.claims: dict = {}
        self.nonces: dict[str, str | None] = {}
        self.app = Flask("forging_provider")
        self.app.add_url_rule("/.well-known/openid-configuration", view_func=self.discovery)
        self.app.add_url_rule("/authorize", view_func=self.authorize, methods=["GET", "POST"])
        self.app.add_url_rule("/token", view_func=self.token, methods=["POST"])
        self.app.add_url_rule("/jwks", view_func=self.jwks)
        self.issuer = ""

    def reset(self, **claims) -> None:
        self.sign_with = self.key
        self.claims = claims

    def discovery(self):
        return jsonify(
            issuer=self.issuer,
            authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token",
            jwks_uri=f"{self.issuer}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
        )

    def authorize(self):
        code = secrets.token_urlsafe(16)
        self.nonces[code] = request.args.get("nonce")
        query = urlencode({"code": code, "state": request.args.get("state", "")})
        return redirect(f"{request.args['redirect_uri']}?{query}")

    def token(self):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "forged-subject",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonces.pop(request.form["code"], None),
            "email": "forged@northgate.example",
            "email_verified": True,
        } | self.claims
        claims = {name: value for name, value in claims.items() if value is not None}
        id_token = jwt.encode({"alg": "RS256", "kid": "forger"}, claims, self.sign_with)
        return jsonify(access_token="forged-access", token_type="Bearer", id_token=id_token)

    def jwks(self):
        return jsonify(keys=[self.key.as_dict(private=False)])

    @contextmanager
    def serve(self) -> Iterator["ForgingProvider"]:
        server = make_server("localhost", 0, self.app, threaded=True)
        self.issuer = f"http://localhost:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
