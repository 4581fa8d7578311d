"""Create or update an Installation with a given JWKS, for smoke tests and benchmarks of a deployment
without a real Saleor (a real installation comes from POST /api/register)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from ...models import Installation


class Command(BaseCommand):
    help = "Create or update an Installation for --api-url with the JWKS in --jwks-file (smoke tests only)."

    def add_arguments(self, parser):
        parser.add_argument("--api-url", required=True)
        parser.add_argument("--jwks-file", required=True)
        parser.add_argument("--app-id", default="QXBwOjE=")
        parser.add_argument("--token", default="smoke-test-app-token")

    def handle(self, *args, api_url, jwks_file, app_id, token, **options):
        jwks = json.loads(Path(jwks_file).read_text())
        installation, created = Installation.objects.update_or_create(
            saleor_api_url=api_url,
            defaults={
                "app_id": app_id,
                "auth_token": token,
                "jwks": jwks,
                "jwks_fetched_at": timezone.now(),
                "is_active": True,
            },
        )
        self.stdout.write(
            f"{'created' if created else 'updated'} installation {installation.pk} for {api_url}"
        )
