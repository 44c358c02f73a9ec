"""Sign up (with welcome credits), log in/out, password reset, credits page, API keys."""

import re

import pytest
from django.core import mail
from django.test import Client

from photos.models import ApiKey, User
from photos.services.credits import credits_balance

# Marked so the test database is set up even when a fixture asks for it first.
pytestmark = pytest.mark.django_db

PASSWORD = "a-long-photo-pass-99"


def signup(client, username="bob", **extra):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": f"{username}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **extra,
        },
    )


@pytest.mark.django_db
def test_signup_gives_the_welcome_credits_and_logs_in(client, settings):
    settings.SIGNUP_CREDITS = 20
    assert client.get("/accounts/signup/").status_code == 200
    response = signup(client, next="/make/3108/")
    assert response.status_code == 302 and response["Location"] == "/make/3108/"
    user = User.objects.get(username="bob")
    assert credits_balance(user) == 20
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_signup_without_welcome_credits_and_unsafe_next(client, settings):
    settings.SIGNUP_CREDITS = 0
    response = signup(client, next="https://evil.example/")
    assert response["Location"] == "/"
    assert credits_balance(User.objects.get(username="bob")) == 0


@pytest.mark.django_db
def test_signup_errors_are_shown(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "bob", "email": "x", "password1": "a", "password2": "b"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address" in html
    assert "password fields didn’t match" in html
    assert not User.objects.exists()


def test_login_and_logout_is_post_only(client, customer):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-42"}
    )
    assert response.status_code == 302
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused(client, customer):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_password_reset_by_email(client, customer):
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"},
    )
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("brand-new-pass-77")


def test_password_change_page(logged_in):
    assert "Change your password" in logged_in.get("/accounts/password_change/").content.decode()


def test_credits_page_explains_top_ups(client, customer, settings):
    settings.SHOP_CONTACT = "counter@photoshop.example"
    html = client.get("/credits/").content.decode()
    assert "added by our staff" in html and "counter@photoshop.example" in html
    assert "Watermarked preview" in html
    client.force_login(customer)
    html = client.get("/credits/").content.decode()
    assert "Your balance: <strong>100 credits</strong>" in html
    assert "test top-up" in html


def test_api_key_is_shown_once_and_can_be_revoked(logged_in, customer):
    response = logged_in.post("/account/api-keys/", {"name": "till"})
    assert response.status_code == 302
    html = logged_in.get("/account/api-keys/").content.decode()
    key = re.search(r'value="(idp_[^"]+)"', html).group(1)
    api_key = ApiKey.objects.get(user=customer)
    assert api_key.key_prefix == key[:10]
    assert "idp_" not in logged_in.get("/account/api-keys/").content.decode().split("Your keys")[0]
    assert logged_in.post(f"/account/api-keys/{api_key.pk}/revoke/").status_code == 302
    api_key.refresh_from_db()
    assert not api_key.is_active


def test_cannot_revoke_another_customers_key(client_of, make_customer):
    owner, other = make_customer("owner"), make_customer("other")
    api_key, _ = ApiKey.generate(user=owner)
    response = client_of(other).post(f"/account/api-keys/{api_key.pk}/revoke/")
    assert response.status_code == 404
    api_key.refresh_from_db()
    assert api_key.is_active


@pytest.mark.parametrize("url", ["/account/api-keys/", "/accounts/signup/", "/accounts/logout/"])
def test_posts_need_the_csrf_token(customer, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    assert client.post(url, {"name": "x"}).status_code == 403
