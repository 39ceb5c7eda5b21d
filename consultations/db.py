"""Database helpers shared by the rooms' migrations."""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that applies only on PostgreSQL.

    The safety triggers are PostgreSQL's; a quick local run on SQLite relies on
    the service layer alone, which enforces the same rules first.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
