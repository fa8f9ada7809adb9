"""Log-in and password-reset throttles: per client address and per account, with a clear 429."""

import re
from collections.abc import Iterator

import pytest

from portal.extensions import limiter
from tests.conftest import PASSWORD, post_form

LIMITS = ("LOGIN_RATE_LIMIT", "LOGIN_ACCOUNT_RATE_LIMIT", "PASSWORD_RESET_RATE_LIMIT")


@pytest.fixture
def limits(app) -> Iterator[dict]:
    """The app's limit settings, to lower in a test; restored and counters emptied afterwards."""
    saved = {name: app.config[name] for name in LIMITS}
    limiter.reset()
    yield app.config
    app.config.update(saved)
    limiter.reset()


def log_in_from(client, address: str, email: str, password: str = "wrong-password!"):
    data = {"email": email, "password": password}
    return post_form(client, "/auth/login", data, environ_base={"REMOTE_ADDR": address})


def test_failed_log_ins_to_one_account_are_limited_from_any_address(client, make, limits):
    limits["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per 15 minutes"
    target, bystander = make.user(), make.user()
    codes = [log_in_from(client, f"198.51.100.{n}", target.email).status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
    # The right password is refused too while the account is throttled ...
    assert log_in_from(client, "198.51.100.9", target.email, PASSWORD).status_code == 429
    # ... whatever the case of the address; other accounts are not slowed down.
    assert log_in_from(client, "198.51.100.9", target.email.upper()).status_code == 429
    assert log_in_from(client, "198.51.100.9", bystander.email).status_code == 401


def test_successful_log_ins_do_not_count_toward_the_account_limit(app, make, limits):
    limits["LOGIN_ACCOUNT_RATE_LIMIT"] = "2 per 15 minutes"
    user = make.user()
    codes = [log_in_from(app.test_client(), "203.0.113.1", user.email, PASSWORD).status_code]
    codes += [log_in_from(app.test_client(), "203.0.113.1", user.email, PASSWORD).status_code]
    codes += [log_in_from(app.test_client(), "203.0.113.1", user.email, PASSWORD).status_code]
    assert codes == [302, 302, 302]


def test_addresses_are_limited_across_accounts(client, make, limits):
    limits["LOGIN_RATE_LIMIT"] = "3 per minute"
    emails = [f"guess{n}@example.com" for n in range(4)]
    codes = [log_in_from(client, "192.0.2.7", email).status_code for email in emails]
    assert codes == [401, 401, 401, 429]
    assert log_in_from(client, "192.0.2.8", "guess9@example.com").status_code == 401


def test_the_429_page_says_when_to_try_again_with_a_retry_after_header(client, make, limits):
    limits["LOGIN_ACCOUNT_RATE_LIMIT"] = "1 per 15 minutes"
    user = make.user()
    log_in_from(client, "198.51.100.1", user.email)
    response = log_in_from(client, "198.51.100.2", user.email)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    minutes = re.search(r"Too many attempts\. Try again in (\d+) minutes\.", html)
    assert minutes and 14 <= int(minutes.group(1)) <= 15
    # The store rounds its reset time up to the next second.
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60 + 1
    assert "per 15 minute" not in html  # not the limiter's raw text


def test_the_429_page_speaks_of_one_minute_in_the_singular(client, limits):
    limits["LOGIN_RATE_LIMIT"] = "1 per minute"
    log_in_from(client, "192.0.2.1", "a@example.com")
    response = log_in_from(client, "192.0.2.1", "b@example.com")
    assert "Too many attempts. Try again in 1 minute." in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 61


def test_password_reset_requests_are_limited_per_account(client, make, limits):
    limits["PASSWORD_RESET_RATE_LIMIT"] = "2 per hour"
    user = make.user()
    codes = [
        post_form(
            client,
            "/auth/reset",
            {"email": user.email},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    other = post_form(client, "/auth/reset", {"email": "someone.else@example.com"})
    assert other.status_code == 200
