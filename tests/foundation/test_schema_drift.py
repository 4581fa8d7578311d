"""graphql/schema.graphql is the published contract of our API: it must match the code."""

from pathlib import Path

from django.conf import settings

from saleor_aftersales.graphql.management.commands.export_schema import current_sdl


def test_exported_schema_matches_the_code():
    path = Path(settings.BASE_DIR) / "graphql" / "schema.graphql"
    assert path.read_text() == current_sdl(), (
        "graphql/schema.graphql drifted from the code: run `python manage.py export_schema` and commit the file"
    )
