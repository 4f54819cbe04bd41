from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    from news.search import search_text

    Article = apps.get_model("news", "Article")
    ArticleSearchText = apps.get_model("news", "ArticleSearchText")
    batch = []
    for article in Article.objects.only("id", "title", "subtitle", "body").iterator(chunk_size=500):
        batch.append(ArticleSearchText(article_id=article.pk, text=search_text(article.title, article.subtitle, article.body)))
        if len(batch) >= 500:
            ArticleSearchText.objects.bulk_create(batch)
            batch = []
    ArticleSearchText.objects.bulk_create(batch)


def create_trigram_index(apps, schema_editor):
    # PostgreSQL only (SQLite has no GIN): the index news/search.py relies on for LIKE '%…%'.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_trgm ON news_articlesearchtext USING gin (text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("news", "0003_viewflush_dailyviews")]

    operations = [
        TrigramExtension(),  # a no-op on SQLite
        migrations.CreateModel(
            name="ArticleSearchText",
            fields=[
                ("article", models.OneToOneField(on_delete=models.deletion.CASCADE, primary_key=True,
                                                 related_name="search_doc", serialize=False, to="news.article")),
                ("text", models.TextField()),
            ],
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
