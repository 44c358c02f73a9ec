"""Credit use per customer: figures against a known set of orders, periods, sorting, CSV,
the SVG chart and the per-customer drill-down."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from photos.backoffice.reports import Period, credit_use_rows, user_credit_use

pytestmark = pytest.mark.django_db

REPORT = "admin:photos_user_credit_use"


def row_of(rows, username):
    return next(row for row in rows if row.username == username)


def test_figures_per_customer_match_the_known_orders(shop):
    rows = credit_use_rows(Period.preset("30d"))
    alice = row_of(rows, "alice")
    assert (alice.balance, alice.spent, alice.refunded, alice.net_spend) == (109, 46, 15, 31)
    assert (alice.topups, alice.adjustments) == (150, -10)
    assert (alice.orders, alice.completed, alice.failed, alice.running, alice.previews) == (
        6,
        2,
        1,
        1,
        2,
    )
    bob = row_of(rows, "bob")  # everything happened 40 days ago: only the balance shows
    assert (bob.balance, bob.spent, bob.topups, bob.orders) == (14, 0, 0, 0)
    assert not row_of(rows, "carol").has_activity
    assert row_of(rows, "dave").api_keys == 1  # staff, listed as an API key owner
    assert "staffonly" not in {row.username for row in rows}


def test_a_custom_period_includes_older_activity(shop):
    today = timezone.localdate()
    period = Period("custom", today - timedelta(days=45), today - timedelta(days=35))
    rows = credit_use_rows(period)
    bob = row_of(rows, "bob")
    assert (bob.spent, bob.topups, bob.completed) == (6, 20, 1)
    assert row_of(rows, "alice").spent == 0


def test_report_is_three_queries_whatever_the_number_of_customers(
    shop, make_customer, django_assert_num_queries
):
    for n in range(10):
        make_customer(f"extra{n}", credits=5)
    with django_assert_num_queries(3):
        rows = credit_use_rows(Period.preset("7d"))
    assert len(rows) == 14


def test_drill_down_figures_equal_the_report_row(shop):
    period = Period.preset("30d")
    assert user_credit_use(shop.alice, period) == row_of(credit_use_rows(period), "alice")


def test_report_page_shows_rows_totals_and_chart(admin_client, shop):
    response = admin_client.get(reverse(REPORT), {"period": "7d"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Credit use per customer" in html
    alice_row = re.search(r'<tr data-user="alice">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num col-(\w+)[^"]*">(?:<strong>)?([-+\d]+)', alice_row)
    assert dict(cells) == {
        "balance": "109",
        "spent": "46",
        "refunded": "15",
        "net": "31",
        "topups": "150",
        "adjustments": "-10",
        "orders": "6",
        "completed": "2",
        "failed": "1",
        "running": "1",
        "previews": "2",
    }
    # Totals: alice's and bob's balances (carol and dave have 0).
    assert 'id="card-balance">123<' in html
    assert 'id="card-spent">46<' in html
    # The chart: inline SVG, one spent bar per day of the period, today's not empty.
    svg = re.search(r"<svg[^>]*spend-chart.*?</svg>", html, re.S).group(0)
    assert len(re.findall(r'class="bar-spent"', svg)) == 7
    today = timezone.localdate().isoformat()
    bar = re.search(rf'data-day="{today}">.*?class="bar-spent"[^>]*height="([\d.]+)"', svg, re.S)
    assert float(bar.group(1)) > 0
    assert "<script" not in svg


@pytest.mark.parametrize(("period", "days"), [("today", 1), ("7d", 7), ("30d", 30)])
def test_chart_has_a_bar_per_day_of_each_preset(admin_client, shop, period, days):
    html = admin_client.get(reverse(REPORT), {"period": period}).content.decode()
    assert html.count('class="bar-spent"') == days


def test_custom_period_and_invalid_period(admin_client, shop):
    today = timezone.localdate()
    start = (today - timedelta(days=45)).isoformat()
    end = (today - timedelta(days=35)).isoformat()
    html = admin_client.get(
        reverse(REPORT), {"period": "custom", "start": start, "end": end}
    ).content.decode()
    assert html.count('class="bar-spent"') == 11
    assert re.search(r'<tr data-user="bob">.*?col-spent">6<', html, re.S)
    bad = admin_client.get(reverse(REPORT), {"period": "custom", "start": end, "end": start})
    assert bad.status_code == 200
    assert "must not be after" in bad.content.decode()


def test_sorting_by_columns(admin_client, shop):
    def order(o):
        html = admin_client.get(reverse(REPORT), {"o": o}).content.decode()
        return re.findall(r'<tr data-user="([^"]+)"', html)

    assert order("-balance")[:2] == ["alice", "bob"]
    assert order("username") == sorted(order("username"))
    assert order("-username") == sorted(order("username"), reverse=True)
    assert order("-spent")[0] == "alice"
    assert order("nonsense")[0] == "alice"  # falls back to the default sort
    html = admin_client.get(reverse(REPORT), {"o": "-spent"}).content.decode()
    assert "?o=spent" in html  # the current column's link toggles the direction


def test_search_and_active_only(admin_client, shop):
    html = admin_client.get(reverse(REPORT), {"q": "ali"}).content.decode()
    assert re.findall(r'<tr data-user="([^"]+)"', html) == ["alice"]
    html = admin_client.get(reverse(REPORT), {"active": "1"}).content.decode()
    assert set(re.findall(r'<tr data-user="([^"]+)"', html)) == {"alice"}


def test_csv_export(admin_client, shop, make_customer):
    make_customer("@formula", credits=3)
    response = admin_client.get(reverse("admin:photos_user_credit_use_csv"), {"period": "30d"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    alice = next(r for r in rows if r["username"] == "alice")
    assert {k: alice[k] for k in ("balance", "spent", "refunded", "net_spend", "topups")} == {
        "balance": "109",
        "spent": "46",
        "refunded": "15",
        "net_spend": "31",
        "topups": "150",
    }
    assert (alice["completed"], alice["failed"], alice["running"], alice["previews"]) == (
        "2",
        "1",
        "1",
        "2",
    )
    assert alice["period_start"] == (timezone.localdate() - timedelta(days=29)).isoformat()
    # Spreadsheet formulas are defused.
    assert any(r["username"] == "'@formula" for r in rows)
    # Sorted like the page.
    assert rows[0]["username"] == "alice"


def test_drill_down_shows_ledger_orders_and_chart(admin_client, shop):
    url = reverse("admin:photos_user_credit_detail", args=[shop.alice.pk])
    response = admin_client.get(url, {"period": "7d"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="card-net">31<' in html
    assert html.count('class="bar-spent"') == 7
    ledger = html.split('id="ledger"')[1].split('id="orders"')[0]
    assert ledger.count('<tr class="kind-') == 8  # 3 top-ups/corrections, 4 charges, 1 refund
    assert "Paid cash, receipt 1042" in ledger and "admin" in ledger
    orders = html.split('id="orders"')[1]
    assert orders.count(reverse("admin:photos_order_change", args=[shop.orders["failed"].pk])) == 1
    assert "Processing timeout" in orders


def test_ledger_csv(admin_client, shop):
    response = admin_client.get(reverse("admin:photos_user_ledger_csv", args=[shop.alice.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["sequence"]) for r in rows] == list(range(1, len(rows) + 1))
    assert rows[-1]["balance_after"] == "109"
    assert rows[-1]["by"] == "admin" and rows[-1]["kind"] == "adjust"


def test_customers_and_anonymous_cannot_open_the_report(client, customer):
    url = reverse(REPORT)
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(customer)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_ledger_permission_is_refused(client, db):
    from photos.models import User

    staff = User.objects.create_user("intern", "i@shop.example", "pw-intern-2026", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(REPORT)).status_code == 403
    assert client.get(reverse("admin:photos_user_credit_use_csv")).status_code == 403
