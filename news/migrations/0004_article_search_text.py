from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    from news.search import search_text

    Article = apps.get_model("news", "Article")
    batch = []
    for article in Article.objects.only("id", "title", "subtitle", "body").iterator(chunk_size=500):
        article.search_text = search_text(article.title, article.subtitle, article.body)
        batch.append(article)
        if len(batch) >= 500:
            Article.objects.bulk_update(batch, ["search_text"])
            batch = []
    Article.objects.bulk_update(batch, ["search_text"])


def create_trigram_index(apps, schema_editor):
    # PostgreSQL only (SQLite has no GIN): the index news/search.py relies on for LIKE '%…%'.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_trgm ON news_article USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("news", "0003_viewflush_dailyviews")]

    operations = [
        TrigramExtension(),  # a no-op on SQLite
        migrations.AddField(model_name="article", name="search_text", field=models.TextField(default="", editable=False)),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
