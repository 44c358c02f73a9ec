"""Idempotent first-run set-up for ``make run``: the spec catalogue and a demo customer."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from photos.models import User
from photos.services.credits import credits_balance, credits_topup

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-photo-2026"  # noqa: S105 (printed on purpose: a local demo account)
DEMO_CREDITS = 100


class Command(BaseCommand):
    help = "Load the spec fixture and create a demo customer with starting credits."

    def handle(self, *args, **options):
        call_command("loaddata", "specs", verbosity=0)
        from photos.models import Spec

        self.stdout.write(f"Spec catalogue: {Spec.objects.count()} specs.")
        if not User.objects.filter(is_superuser=False).exists():
            user = User.objects.create_user(DEMO_USERNAME, "demo@example.com", DEMO_PASSWORD)
            credits_topup(user=user, amount=DEMO_CREDITS, reason="Demo starting credits")
            self.stdout.write(
                f"Demo customer: username '{DEMO_USERNAME}', password '{DEMO_PASSWORD}', "
                f"{credits_balance(user)} credits."
            )
