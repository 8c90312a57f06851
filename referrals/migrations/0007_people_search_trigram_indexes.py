"""On PostgreSQL, trigram indexes for searching people by name and address
(referrals.selectors.search). SQLite, the single-office mode, has no pg_trgm
and reads a front door's people instead.

The name index is on the expression the search uses,
`first_name || ' ' || last_name`, so `%s <% (first_name || ' ' || last_name)`
(word similarity) is served by it. Built CONCURRENTLY: a live portal keeps
taking referrals while a large table is indexed.
"""

from __future__ import annotations

from django.db import migrations

TABLES = ("referrals_child", "referrals_adult")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_name_trgm ON {table} "
            "USING gin ((first_name || ' ' || last_name) gin_trgm_ops)",
            params=None,
        )
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {table}_address_trgm ON {table} "
            "USING gin (address gin_trgm_ops)",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {table}_name_trgm", params=None)
        schema_editor.execute(
            f"DROP INDEX CONCURRENTLY IF EXISTS {table}_address_trgm", params=None
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("referrals", "0006_partnership_figures")]

    operations = [migrations.RunPython(forwards, backwards)]
