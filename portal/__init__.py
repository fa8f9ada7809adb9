"""Channel Voice: the application factory."""

from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from config import Config


class ConfigurationError(RuntimeError):
    """The configuration breaks a rule the portal relies on."""


def check_config(app: Flask) -> None:
    """Refuse to start with settings that would break the privacy promise or security."""
    if app.config["PRIVACY_MIN_ORGS"] < 3:
        raise ConfigurationError(
            f"PRIVACY_MIN_ORGS must be at least 3 (got {app.config['PRIVACY_MIN_ORGS']}): "
            "smaller groups would expose single organisations' figures."
        )
    share = app.config["PRIVACY_MAX_SHARE"]
    if not 0 < share <= 0.5:
        raise ConfigurationError(
            f"PRIVACY_MAX_SHARE must be above 0 and at most 0.5 (got {share}): a larger share "
            "would let one organisation's amount make up most of a shown figure."
        )
    if app.config.get("OIDC_ISSUER") and not app.config.get("OIDC_CLIENT_ID"):
        raise ConfigurationError(
            "OIDC_ISSUER is set but OIDC_CLIENT_ID is not: single sign-on needs the client id "
            "(and OIDC_CLIENT_SECRET) the identity provider issued for the portal."
        )
    if app.config.get("PRODUCTION"):
        from config import DEV_SECRET_KEY

        key = app.config.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < 32:
            raise ConfigurationError(
                "Production needs SECRET_KEY set to a random value of at least 32 characters."
            )


def ensure_sqlite_dir(uri: str) -> None:
    """Create the folder of a file-based SQLite database (instance/ by default)."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def create_app(config_class: type[Config] = Config, **overrides) -> Flask:
    """Build the app: load configuration, bind extensions, register blueprints and commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    app.config.update(overrides)
    check_config(app)
    ensure_sqlite_dir(app.config["SQLALCHEMY_DATABASE_URI"])

    from portal.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from portal import auth
    from portal.auth import oidc
    from portal.database import install_sqlite_pragmas
    from portal.web import bounds

    install_sqlite_pragmas()
    auth.init_login(login_manager)
    if app.config.get("OIDC_ISSUER"):
        oidc.init_app(app)
    bounds.register(app)  # before the blueprints: their rules bind the `int` converter

    from portal.admin.routes import bp as admin_bp
    from portal.api.routes import bp as api_bp
    from portal.auth.routes import bp as auth_bp
    from portal.board.routes import bp as board_bp
    from portal.briefs.routes import bp as briefs_bp
    from portal.errors.handlers import bp as errors_bp
    from portal.inbox.routes import bp as inbox_bp
    from portal.main.routes import bp as main_bp
    from portal.org.routes import bp as org_bp
    from portal.reports.routes import bp as reports_bp
    from portal.revenue.routes import bp as revenue_bp
    from portal.surveys.routes import bp as surveys_bp
    from portal.tokens.routes import bp as api_tokens_bp
    from portal.webhooks.routes import bp as webhooks_bp

    app.register_blueprint(errors_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(org_bp, url_prefix="/org")
    app.register_blueprint(revenue_bp, url_prefix="/org/revenue")
    app.register_blueprint(board_bp, url_prefix="/requirements")
    app.register_blueprint(surveys_bp, url_prefix="/surveys")
    app.register_blueprint(inbox_bp, url_prefix="/inbox")
    app.register_blueprint(briefs_bp, url_prefix="/briefs")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_tokens_bp, url_prefix="/api-tokens")
    app.register_blueprint(webhooks_bp, url_prefix="/webhooks")

    from portal import cli
    from portal.web import templating

    cli.register(app)
    templating.register(app)
    app.after_request(security_headers)
    return app


# Scripts and styles come only from the portal itself; inline style attributes draw the charts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


def security_headers(response):
    """Defence in depth: even injected markup could neither run script nor frame the portal."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
