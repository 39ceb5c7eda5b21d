"""The catalog's revision: one row, set from a sequence by a trigger on every catalog table."""

from django.db import migrations, models

from consultations.db import PostgresOnlySQL

TABLES = (
    "catalog_treatment",
    "catalog_product",
    "catalog_area",
    "catalog_ingredient",
    "catalog_product_ingredients",
    "catalog_productarea",
)

BUMP = """
    CREATE SEQUENCE catalog_revision_seq;
    CREATE FUNCTION catalog_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- After the statement: whatever it changed, the catalog has a new number. The row
        -- comes back if something removed it (a test database's flush).
        INSERT INTO catalog_catalogrevision (id, number)
            VALUES (1, nextval('catalog_revision_seq'))
            ON CONFLICT (id) DO UPDATE SET number = EXCLUDED.number;
        RETURN NULL;
    END $$;
"""
FIRST = (
    "INSERT INTO catalog_catalogrevision (id, number) VALUES (1, nextval('catalog_revision_seq'))"
)

REVISION = PostgresOnlySQL(
    [
        BUMP,
        *(
            f"CREATE TRIGGER catalog_revision_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalog_revision_bump()"
            for table in TABLES
        ),
        FIRST,
    ],
    [
        *(f"DROP TRIGGER catalog_revision_bump ON {table}" for table in TABLES),
        "DROP FUNCTION catalog_revision_bump()",
        "DROP SEQUENCE catalog_revision_seq",
    ],
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_catalog_in_vietnamese"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(verbose_name="revision")),
            ],
            options={
                "verbose_name": "catalog revision",
                "verbose_name_plural": "catalog revisions",
            },
        ),
        REVISION,
    ]
