from django.core.management.base import BaseCommand
from django.db import transaction

from integration.models import PendingGrant, ZohoConnection

SECRETS = ["client_secret", "refresh_token", "access_token"]


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored Zoho secret with the first FIELD_ENCRYPTION_KEY. Rotate a key "
        "by putting a new one first, running this, then removing the old one."
    )

    def handle(self, **options):
        with transaction.atomic():
            connections = list(ZohoConnection.objects.select_for_update().order_by("pk"))
            for connection in connections:
                # Reading decrypts with whichever key fits; saving encrypts with the first.
                connection.save(update_fields=SECRETS)
            # Tokens waiting for a corrected configuration are secrets too.
            for pending in PendingGrant.objects.select_for_update().order_by("pk"):
                pending.save(update_fields=SECRETS)
        self.stdout.write(f"Re-encrypted the secrets of {len(connections)} Zoho connection(s).")
