"""Load the shipped default help articles (en + zh-hans) into one or every installation; safe to re-run."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...actions import load_default_articles


class Command(BaseCommand):
    help = "Create the default knowledge articles an installation does not have yet (idempotent)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--saleor-api-url", help="The installation's Saleor API URL.")
        target.add_argument("--all", action="store_true", help="Every active installation.")

    def handle(self, *args, **options):
        from ....installations.models import Installation

        installations = Installation.objects.filter(is_active=True)
        if not options["all"]:
            installations = installations.filter(saleor_api_url=options["saleor_api_url"])
            if not installations.exists():
                raise CommandError(f"No active installation for {options['saleor_api_url']}.")
        for installation in installations.order_by("pk"):
            created = load_default_articles(installation)
            self.stdout.write(f"{installation.saleor_api_url}: {len(created)} article(s) created")
