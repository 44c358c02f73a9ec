"""``python manage.py createapikey USERNAME [--credits N]``: print a new API key once."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from photos.models import ApiKey, User
from photos.services.credits import credits_balance, credits_topup


class Command(BaseCommand):
    help = "Create an API key for USERNAME (creating the user if needed) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--credits", type=int, default=0, help="Top up this many credits.")
        parser.add_argument("--name", default="", help="A label for the key.")

    def handle(self, username, credits, name, **options):
        if credits < 0:
            raise CommandError("--credits must not be negative.")
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_unusable_password()
                user.save()
            if credits:
                credits_topup(user=user, amount=credits, reason="createapikey --credits")
            _, plain = ApiKey.generate(user=user, name=name or "command line")
        self.stdout.write(
            f"User: {username}{' (created)' if created else ''}, balance {credits_balance(user)} credits."
        )
        self.stdout.write("API key (shown once, store it now):")
        self.stdout.write(plain)
