"""The credit ledger is append-only in the admin (superusers included) and in the model."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from photos.models import CreditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["superuser", "shop staff"])
def any_staff_client(request, admin_client, staff_client):
    return admin_client if request.param == "superuser" else staff_client


def test_ledger_list_and_entry_are_view_only(any_staff_client, customer):
    entry = CreditEntry.objects.get(user=customer)
    changelist = any_staff_client.get(reverse("admin:photos_creditentry_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert 'name="_selected_action"' not in html  # no actions, so no bulk delete
    assert reverse("admin:photos_creditentry_add") not in html
    assert "+100" in html
    change_url = reverse("admin:photos_creditentry_change", args=[entry.pk])
    page = any_staff_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view only


def test_ledger_cannot_be_added_to_edited_or_deleted_through_the_admin(any_staff_client, customer):
    entry = CreditEntry.objects.get(user=customer)
    assert any_staff_client.get(reverse("admin:photos_creditentry_add")).status_code == 403
    post = any_staff_client.post(
        reverse("admin:photos_creditentry_change", args=[entry.pk]),
        {"amount": 1000, "balance_after": 1000, "reason": "edited"},
    )
    assert post.status_code == 403
    delete_url = reverse("admin:photos_creditentry_delete", args=[entry.pk])
    assert any_staff_client.get(delete_url).status_code == 403
    assert any_staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = any_staff_client.post(
        reverse("admin:photos_creditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert (entry.amount, entry.balance_after, entry.reason) == (100, 100, "test top-up")


def test_model_refuses_to_edit_or_delete_and_the_database_refuses_overdraft(customer):
    entry = CreditEntry.objects.get(user=customer)
    entry.reason = "rewritten"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(
            user=customer, sequence=1, kind="topup", amount=5, balance_after=105
        )
    assert CreditEntry.objects.get(pk=entry.pk).reason == "test top-up"


def test_deleting_a_customer_with_a_ledger_is_refused(admin_client, customer):
    response = admin_client.post(
        reverse("admin:photos_user_delete", args=[customer.pk]), {"post": "yes"}
    )
    assert response.status_code == 200  # the "cannot delete: protected" page
    assert "Cannot delete user" in response.content.decode()
    assert CreditEntry.objects.filter(user=customer).exists()
