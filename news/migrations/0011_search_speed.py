from django.db import migrations

# One GIN trigram index over both search columns instead of one per column (0004, 0007). A query mixing a
# short term (text, at word starts) with a long one (compact) is then intersected inside the index: the
# planner cannot estimate LIKE '%…%' on long text, so with two indexes it read one term's matches and
# tested the other row by row (홍차오 김치: 4,666 rows re-read for 1,000 matches). A condition on either
# column alone is served as well as by the single-column indexes (GIN treats every column alike).
# Built CONCURRENTLY (docs/deployment.md): under a new name, the old ones dropped, then renamed.
BUILD = "CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON news_articlesearchtext USING gin ({columns})"
BOTH = "text gin_trgm_ops, compact gin_trgm_ops"


def replace(schema_editor, old: list[str], new: dict[str, str]) -> None:
    if schema_editor.connection.vendor != "postgresql":  # SQLite has no GIN, as in 0004
        return
    for name, columns in new.items():
        schema_editor.execute(BUILD.format(name=f"{name}_new", columns=columns))
    for name in old:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    for name in new:
        schema_editor.execute(f"ALTER INDEX {name}_new RENAME TO {name}")


def one_index(apps, schema_editor):
    replace(schema_editor, ["article_search_trgm", "article_search_compact_trgm"], {"article_search_trgm": BOTH})


def two_indexes(apps, schema_editor):
    replace(
        schema_editor,
        ["article_search_trgm"],
        {"article_search_trgm": "text gin_trgm_ops", "article_search_compact_trgm": "compact gin_trgm_ops"},
    )


class Migration(migrations.Migration):
    """Search speed (#21): one trigram index over the search text and its space-free copy."""

    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("news", "0010_desk_breaking_picks_revisions")]
    operations = [migrations.RunPython(one_index, two_indexes, atomic=False)]
