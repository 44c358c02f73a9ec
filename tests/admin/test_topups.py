"""Adding and correcting credits: the users' action with its intermediate page, and the
form on a customer's drill-down. Every change is a ledger line with the staff member."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from photos.models import CreditEntry
from photos.services.credits import credits_balance

pytestmark = pytest.mark.django_db

USERS = reverse("admin:photos_user_changelist")


def post_action(client, users, **data):
    return client.post(
        USERS,
        {"action": "add_credits", ACTION_CHECKBOX_NAME: [u.pk for u in users], **data},
        follow=True,
    )


def test_action_shows_an_intermediate_page_first(admin_client, make_customer):
    alice, bob = make_customer("alice", 10), make_customer("bob", 0)
    response = post_action(admin_client, [alice, bob], index=0)
    html = response.content.decode()
    assert "Add or correct credits" in html
    assert 'name="amount"' in html and 'name="reason"' in html
    assert "<td>alice</td>" in html and "<td>bob</td>" in html
    assert CreditEntry.objects.filter(user__in=[alice, bob]).count() == 1  # nothing yet


def test_action_adds_credits_with_reason_and_staff_member(admin_client, admin_user, make_customer):
    alice, bob = make_customer("alice", 10), make_customer("bob", 0)
    response = post_action(
        admin_client, [alice, bob], apply="1", amount="20", reason="Spring promotion"
    )
    assert "+20 credits for 2 customer(s)" in response.content.decode()
    assert (credits_balance(alice), credits_balance(bob)) == (30, 20)
    for user in (alice, bob):
        entry = CreditEntry.objects.filter(user=user).order_by("-sequence").first()
        assert (entry.kind, entry.reason, entry.created_by) == (
            "topup",
            "Spring promotion",
            admin_user,
        )


def test_reason_is_mandatory_and_amount_not_zero(admin_client, make_customer):
    alice = make_customer("alice", 10)
    html = post_action(admin_client, [alice], apply="1", amount="5", reason="   ").content.decode()
    assert "A reason is required" in html or "This field is required" in html
    html = post_action(admin_client, [alice], apply="1", amount="0", reason="x").content.decode()
    assert "must not be zero" in html
    assert credits_balance(alice) == 10


def test_a_correction_that_would_go_negative_changes_nobody(admin_client, make_customer):
    rich, poor = make_customer("rich", 50), make_customer("poor", 3)
    html = post_action(
        admin_client, [rich, poor], apply="1", amount="-5", reason="Reverse a duplicate"
    ).content.decode()
    assert "Nothing was changed" in html and "only 3 credits" in html
    assert (credits_balance(rich), credits_balance(poor)) == (50, 3)
    post_action(admin_client, [rich], apply="1", amount="-5", reason="Reverse a duplicate")
    entry = CreditEntry.objects.filter(user=rich).order_by("-sequence").first()
    assert (entry.kind, entry.amount, entry.balance_after) == ("adjust", -5, 45)


def test_drill_down_form_adds_a_ledger_line(admin_client, admin_user, make_customer):
    alice = make_customer("alice", 10)
    url = reverse("admin:photos_user_credit_detail", args=[alice.pk])
    response = admin_client.post(
        url, {"do": "topup", "topup-amount": "15", "topup-reason": "Voucher 77"}, follow=True
    )
    assert "+15 credits for alice; the balance is now 25." in response.content.decode()
    entry = CreditEntry.objects.filter(user=alice).order_by("-sequence").first()
    assert (entry.amount, entry.reason, entry.created_by) == (15, "Voucher 77", admin_user)
    bad = admin_client.post(url, {"do": "topup", "topup-amount": "-99", "topup-reason": "oops"})
    assert bad.status_code == 200 and "has only 25 credits" in bad.content.decode()
    missing = admin_client.post(url, {"do": "topup", "topup-amount": "5", "topup-reason": ""})
    assert "This field is required" in missing.content.decode()
    assert credits_balance(alice) == 25


def test_user_list_shows_balances_and_links(admin_client, make_customer):
    alice = make_customer("alice", 42)
    html = admin_client.get(USERS).content.decode()
    assert '<td class="field-balance">42</td>' in html
    assert reverse("admin:photos_user_credit_detail", args=[alice.pk]) in html
    assert reverse("admin:photos_user_credit_use") in html
    change = admin_client.get(reverse("admin:photos_user_change", args=[alice.pk]))
    assert reverse("admin:photos_user_credit_detail", args=[alice.pk]) in change.content.decode()


def test_staff_without_the_permission_cannot_top_up(client, django_user_model, make_customer):
    from django.contrib.auth.models import Permission

    alice = make_customer("alice", 10)
    viewer = django_user_model.objects.create_user("viewer", "v@x.example", "pw", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "view_creditentry"])
    )
    client.force_login(viewer)
    html = client.get(USERS).content.decode()
    assert "add_credits" not in html
    url = reverse("admin:photos_user_credit_detail", args=[alice.pk])
    assert 'name="topup-amount"' not in client.get(url).content.decode()
    response = client.post(url, {"do": "topup", "topup-amount": "5", "topup-reason": "x"})
    assert response.status_code == 403
    post_action(client, [alice], apply="1", amount="5", reason="sneaky")
    assert credits_balance(alice) == 10
