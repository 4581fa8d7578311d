"""Write our GraphQL SDL to graphql/schema.graphql (a test fails when the file drifts from the code)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


def current_sdl() -> str:
    from ...api import schema

    return str(schema).strip() + "\n"


class Command(BaseCommand):
    help = "Export the app's GraphQL schema (SDL) to graphql/schema.graphql"

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / "graphql" / "schema.graphql"
        path.write_text(current_sdl())
        self.stdout.write(f"wrote {path}")
