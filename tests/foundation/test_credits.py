"""The ledger: balance derived from entries, never negative, never double-charged."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from photos.models import CreditEntry, Order
from photos.services.credits import (
    InsufficientCredits,
    credits_balance,
    credits_charge,
    credits_refund,
    credits_topup,
)

pytestmark = pytest.mark.django_db


def make_order(user, credits):
    return Order.objects.create(owner=user, credits=credits, params={})


def test_balance_is_derived_from_the_ledger(customer):
    assert credits_balance(customer) == 100
    order = make_order(customer, 14)
    credits_charge(order=order)
    assert credits_balance(customer) == 86
    credits_refund(order=order)
    assert credits_balance(customer) == 100
    credits_topup(user=customer, amount=-30, reason="correction")
    assert credits_balance(customer) == 70
    kinds = list(
        CreditEntry.objects.filter(user=customer).order_by("sequence").values_list("kind", "amount")
    )
    assert kinds == [("topup", 100), ("charge", -14), ("refund", 14), ("adjust", -30)]


def test_charging_more_than_the_balance_is_refused(make_customer):
    poor = make_customer("bob", credits=5)
    with pytest.raises(InsufficientCredits) as info:
        credits_charge(order=make_order(poor, 6))
    assert info.value.needed == 6 and info.value.balance == 5
    assert credits_balance(poor) == 5


def test_one_order_is_charged_and_refunded_once(customer):
    order = make_order(customer, 6)
    assert credits_charge(order=order) is not None
    assert credits_charge(order=order) is None
    assert credits_refund(order=order) is not None
    assert credits_refund(order=order) is None
    assert credits_balance(customer) == 100


def test_refund_without_charge_gives_nothing(customer):
    assert credits_refund(order=make_order(customer, 6)) is None
    assert credits_balance(customer) == 100


def test_ledger_entries_cannot_be_edited_or_deleted(customer):
    entry = CreditEntry.objects.get(user=customer)
    entry.amount = 1000
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_database_refuses_a_negative_balance(customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(
            user=customer, sequence=2, kind="charge", amount=-101, balance_after=-1
        )


def test_topup_needs_a_reason(customer):
    with pytest.raises(ValueError):
        credits_topup(user=customer, amount=10, reason=" ")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_charges_cannot_overspend(make_customer):
    """Two threads, two transactions, 10 credits, two 6-credit orders: exactly one wins."""
    user = make_customer("carol", credits=10)
    orders = [make_order(user, 6), make_order(user, 6)]
    barrier = threading.Barrier(2)
    outcomes = []

    def charge(order):
        try:
            barrier.wait()
            credits_charge(order=order)
            outcomes.append("charged")
        except InsufficientCredits:
            outcomes.append("refused")
        except Exception as error:  # a lost race surfaces as a DB error, never as overspend
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=charge, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "charged" and outcomes.count("charged") == 1
    assert credits_balance(user) == 4
    assert CreditEntry.objects.filter(user=user, kind="charge").count() == 1


def test_stale_running_orders_are_failed_and_refunded(customer):
    from datetime import timedelta

    from django.utils import timezone

    from photos.services.orders import orders_fail_stale

    stuck = make_order(customer, 6)
    credits_charge(order=stuck)
    Order.objects.filter(pk=stuck.pk).update(
        state=Order.State.PROCESSING, created_at=timezone.now() - timedelta(hours=1)
    )
    fresh = make_order(customer, 6)
    credits_charge(order=fresh)
    assert credits_balance(customer) == 88
    assert orders_fail_stale() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.state == Order.State.TIMEOUT and fresh.state == Order.State.QUEUED
    assert credits_balance(customer) == 94
    assert orders_fail_stale() == 0
