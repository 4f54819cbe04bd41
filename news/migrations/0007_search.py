from django.db import migrations


class Migration(migrations.Migration):
    """Search by spacing and variant spellings (#21): filled in by that work."""

    dependencies = [("news", "0006_keyword")]

    operations = []
