from django.db import migrations


class Migration(migrations.Migration):
    """Series, article types and corrections (#17): filled in by that work."""

    dependencies = [("news", "0007_search")]

    operations = []
