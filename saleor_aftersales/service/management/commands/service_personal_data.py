"""Export or erase a customer's data, or re-encrypt case data with the newest key.

manage.py service_personal_data export --api-url URL --email a@b.c  > data.json
manage.py service_personal_data erase --api-url URL --email a@b.c
manage.py service_personal_data rotate-keys
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from ....core.actors import Actor
from ....installations.models import Installation
from ... import actions
from ...personal_data import export_customer_data


class Command(BaseCommand):
    help = "Export / erase a customer's personal data; rotate encryption keys of service cases."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["export", "erase", "rotate-keys"])
        parser.add_argument("--api-url", default="", help="The installation's Saleor API URL.")
        parser.add_argument("--email", default="")
        parser.add_argument("--user-id", default="")

    def handle(self, *args, operation, api_url, email, user_id, **options):
        if operation == "rotate-keys":
            count = actions.rotate_encryption_keys()
            self.stdout.write(f"re-encrypted {count} rows")
            return
        installation = Installation.objects.filter(saleor_api_url=api_url).first()
        if installation is None:
            raise CommandError(f"No installation for {api_url!r}.")
        if not email and not user_id:
            raise CommandError("Give --email or --user-id.")
        if operation == "export":
            data = export_customer_data(installation, email=email, user_id=user_id)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            counts = actions.erase_customer_data(
                installation=installation, email=email, user_id=user_id, actor=Actor.system("manage.py")
            )
            self.stdout.write(json.dumps(counts))
