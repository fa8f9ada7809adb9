"""Configuration classes, read from the environment (and `.env` when present)."""

import os
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")

DEV_SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 - refused by ProductionConfig


def _number(name: str, default, parse, expected: str):
    """Read a numeric setting, naming the variable and what it expects when it is not one."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ValueError(f"{name} must be {expected}, got {raw!r}") from None


def _int(name: str, default: int) -> int:
    return _number(name, default, int, "a whole number")


def _share(name: str, default: float) -> float:
    return _number(name, default, float, "a fraction such as 0.5")


class Config:
    """Development defaults: works over plain http://127.0.0.1 with SQLite in instance/."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portal.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PRIVACY_MIN_ORGS = _int("PRIVACY_MIN_ORGS", 5)
    PRIVACY_MAX_SHARE = _share("PRIVACY_MAX_SHARE", 0.5)
    EXPORT_SYNC_ROWS = _int("EXPORT_SYNC_ROWS", 2_000)  # larger exports run as background jobs
    EXPORT_JOBS_INLINE = False  # tests build jobs in the request instead of a thread
    PDF_PART_ROWS = _int("PDF_PART_ROWS", 1_000)  # a large PDF is laid out in parts this size
    REPORTING_CURRENCY = os.environ.get("REPORTING_CURRENCY", "USD").upper()
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "channel-voice@localhost")
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")
    # Webhooks: private and loopback receivers only when this is set (tests, development).
    WEBHOOKS_ALLOW_PRIVATE = os.environ.get("WEBHOOKS_ALLOW_PRIVATE", "") == "1"
    WEBHOOK_TIMEOUT_SECONDS = _share("WEBHOOK_TIMEOUT_SECONDS", 5.0)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 8)
    WEBHOOK_RETRY_BASE_SECONDS = _int("WEBHOOK_RETRY_BASE_SECONDS", 30)  # then ×2 per attempt
    INBOX_IMAP_URL = os.environ.get("INBOX_IMAP_URL", "")  # imaps://user:password@host/INBOX
    INVITATION_DAYS = _int("INVITATION_DAYS", 14)
    REVENUE_IMPORT_MAX_BYTES = _int("REVENUE_IMPORT_MAX_BYTES", 1_000_000)
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # uploads above this get a 413 page
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Failed log-ins per account, from any address: slows a guesser spread over many addresses.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "20 per 15 minutes")
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour")
    PASSWORD_RESET_MINUTES = _int("PASSWORD_RESET_MINUTES", 60)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the signed session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=365)  # also how long a log-in session lasts at most
    # Single sign-on (OpenID Connect): on when OIDC_ISSUER is set; see the README.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_BUTTON_LABEL = os.environ.get("OIDC_BUTTON_LABEL", "") or "single sign-on"
    PRODUCTION = False


class TestConfig(Config):
    """Isolated settings for the test suite; the database comes from TEST_DATABASE_URL."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    LOGIN_RATE_LIMIT = "10000 per minute"  # a test lowers it to check the limit itself
    LOGIN_ACCOUNT_RATE_LIMIT = "10000 per minute"
    PASSWORD_RESET_RATE_LIMIT = "10000 per minute"  # noqa: S105 - a rate, not a password
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - fast hashing for tests only
    PRIVACY_MIN_ORGS = 5
    PRIVACY_MAX_SHARE = 0.5
    EXPORT_JOBS_INLINE = True
    REPORTING_CURRENCY = "USD"
    MAIL_SERVER = ""
    OIDC_ISSUER = ""  # the single sign-on tests build their own app against a provider
    WEBHOOKS_ALLOW_PRIVATE = True  # tests post to a receiver on 127.0.0.1
    WEBHOOK_TIMEOUT_SECONDS = 5.0


class ProductionConfig(Config):
    """Chosen with PORTAL_CONFIG=production: secure cookies and a real SECRET_KEY required."""

    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {"development": Config, "production": ProductionConfig, "test": TestConfig}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by PORTAL_CONFIG (default: development)."""
    name = os.environ.get("PORTAL_CONFIG", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ValueError(
            f"PORTAL_CONFIG must be one of {', '.join(sorted(CONFIGS))}, got {name!r}"
        ) from None
