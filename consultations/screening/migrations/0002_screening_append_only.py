"""A stored screening is evidence of what was known when a decision was made: never changed."""

from django.db import migrations

from consultations.db import append_only


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [append_only("screening_screening")]
