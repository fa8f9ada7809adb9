"""create_app refuses configurations that break the portal's rules."""

import pytest

import config
from config import ProductionConfig, TestConfig
from portal import ConfigurationError, create_app


@pytest.mark.parametrize("value", [0, 1, 2])
def test_privacy_threshold_below_three_is_refused(value):
    with pytest.raises(ConfigurationError, match="PRIVACY_MIN_ORGS"):
        create_app(TestConfig, PRIVACY_MIN_ORGS=value)


def test_privacy_threshold_of_three_is_accepted():
    app = create_app(TestConfig, PRIVACY_MIN_ORGS=3)
    assert app.config["PRIVACY_MIN_ORGS"] == 3


@pytest.mark.parametrize("value", [0, -0.1, 0.51, 1])
def test_a_dominance_share_outside_zero_to_a_half_is_refused(value):
    with pytest.raises(ConfigurationError, match="PRIVACY_MAX_SHARE"):
        create_app(TestConfig, PRIVACY_MAX_SHARE=value)


def test_production_refuses_the_development_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=config.DEV_SECRET_KEY)


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY="short")


def test_production_with_a_real_key_uses_secure_cookies():
    app = create_app(ProductionConfig, SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_development_config_works_over_plain_http():
    assert not getattr(config.Config, "SESSION_COOKIE_SECURE", False)


def test_portal_config_names_the_class(monkeypatch):
    monkeypatch.setenv("PORTAL_CONFIG", "production")
    assert config.config_from_env() is ProductionConfig
    monkeypatch.setenv("PORTAL_CONFIG", "staging")
    with pytest.raises(ValueError, match="PORTAL_CONFIG"):
        config.config_from_env()


def test_a_non_numeric_integer_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("PRIVACY_MIN_ORGS", "five")
    with pytest.raises(ValueError, match="PRIVACY_MIN_ORGS"):
        config._int("PRIVACY_MIN_ORGS", 5)
