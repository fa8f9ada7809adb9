"""Single sign-on through an OpenID Connect provider, with Authlib's Flask client.

`init_app` registers the client when OIDC_ISSUER is set (discovery, PKCE S256). `start` sends the
browser to the provider with a fresh `state`, `nonce` and code verifier kept in the session;
`finish` exchanges the code and has Authlib check the state, the ID token's signature (the
provider's published keys), issuer, audience, expiry and nonce, then hands the verified claims to
`services.sign_in_from_identity`. Every protocol failure becomes one ServiceError, never a 500.
"""

import logging

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from portal.auth import services
from portal.errors import ServiceError
from portal.models import User

CLIENT = "oidc"
EXTENSION = "authlib.integrations.flask_client"  # where OAuth(app) keeps itself
NOT_COMPLETED = (
    "The identity provider's answer could not be accepted, so you are not signed in. "
    "Try again; if it keeps happening, tell the portal administrator."
)
UNREACHABLE = (
    "The identity provider does not answer at the moment, so single sign-on is not possible. "
    "Try again later, or log in with your password."
)
# What a provider that is down, misconfigured or tampered with can raise along the way.
PROTOCOL_ERRORS = (OAuthError, JoseError, requests.RequestException, ValueError, KeyError)

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the provider from OIDC_ISSUER (its discovery document), client id and secret."""
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )


def is_configured() -> bool:
    """Whether this portal offers single sign-on."""
    return EXTENSION in current_app.extensions


def _client():
    return current_app.extensions[EXTENSION].create_client(CLIENT)


def start(redirect_uri: str) -> Response:
    """The redirect to the provider (state, nonce and PKCE verifier kept in the session)."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except PROTOCOL_ERRORS as error:
        log.warning("single sign-on could not start: %r", error)
        raise ServiceError(UNREACHABLE) from error


def _claims_options() -> dict:
    """The ID token must be from the configured issuer, for this client, current, with a subject.

    Authlib checks the issuer by default but the audience only through `azp`; this names both.
    """
    config = current_app.config
    return {
        "iss": {"essential": True, "value": config["OIDC_ISSUER"]},
        "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }


def finish() -> User:
    """The account the provider's verified answer on the callback signs in (see the module)."""
    try:
        token = _client().authorize_access_token(claims_options=_claims_options())
    except PROTOCOL_ERRORS as error:
        log.warning("single sign-on refused: %r", error)
        raise ServiceError(NOT_COMPLETED) from error
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        log.warning("single sign-on refused: the token response carried no ID token")
        raise ServiceError(NOT_COMPLETED)
    return services.sign_in_from_identity(
        email=str(claims.get("email") or ""),
        email_verified=claims.get("email_verified") in (True, "true"),
        subject=str(claims["sub"]),
        name=str(claims.get("name") or ""),
    )
