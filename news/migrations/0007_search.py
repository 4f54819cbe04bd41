from django.db import migrations, models

TRIGRAM_INDEXES = {  # name: (table, column); PostgreSQL only (SQLite has no GIN), as in 0004
    "article_search_compact_trgm": ("news_articlesearchtext", "compact"),
    "article_search_title_trgm": ("news_articlesearchtext", "title"),
    "search_term_letters_trgm": ("news_searchterm", "letters"),
}


def fill_new_columns(apps, schema_editor):
    """The space-free text and the normalised title of every article already stored."""
    from news.search import normalise

    ArticleSearchText = apps.get_model("news", "ArticleSearchText")
    Article = apps.get_model("news", "Article")
    ArticleSearchText.objects.update(
        compact=models.Func(models.F("text"), models.Value(" "), models.Value(""), function="REPLACE")
    )
    batch = []
    for pk, title in Article.objects.values_list("id", "title").iterator(chunk_size=2000):
        batch.append(ArticleSearchText(article_id=pk, title=(" " + normalise(title))[:250]))
        if len(batch) >= 2000:
            ArticleSearchText.objects.bulk_update(batch, ["title"])
            batch = []
    ArticleSearchText.objects.bulk_update(batch, ["title"])


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, column) in TRIGRAM_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    """Search by spacing and variant spellings (#21): the space-free text and the title beside the search
    text, editors' spelling variants, and the known terms "혹시 … 찾으셨나요?" offers."""

    dependencies = [("news", "0006_keyword")]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(max_length=60, unique=True)),
                ("letters", models.CharField(max_length=200)),
                ("weight", models.PositiveIntegerField(default=0)),
            ],
            options={"ordering": ["-weight", "term"]},
        ),
        migrations.CreateModel(
            name="SpellingVariants",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "terms",
                    models.CharField(
                        help_text="쉼표로 구분해 적으세요. 예: 상하이, 상해, 上海 — 이 중 하나로 찾으면 모두 찾습니다.",
                        max_length=300,
                        unique=True,
                        verbose_name="같은 말로 찾을 표기",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="메모")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="수정 시각")),
            ],
            options={
                "verbose_name": "표기 변형",
                "verbose_name_plural": "표기 변형 (검색에서 같은 말)",
                "ordering": ["terms"],
            },
        ),
        migrations.AddField(model_name="articlesearchtext", name="compact", field=models.TextField(default="")),
        migrations.AddField(
            model_name="articlesearchtext", name="title", field=models.CharField(default="", max_length=250)
        ),
        migrations.RunPython(fill_new_columns, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
