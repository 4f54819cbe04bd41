from django.core.checks import Error, Tags, Warning, register
from django.db import connections


@register(Tags.database)
def hangul_trigrams(app_configs, databases=None, **kwargs):
    """Search depends on pg_trgm seeing Hangul as letters, which a C/POSIX LC_CTYPE database does not."""
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            ctype = cursor.fetchone()[0]
        if ctype.upper() in {"C", "POSIX"}:
            errors.append(
                Error(
                    f"database {connection.settings_dict['NAME']!r} has LC_CTYPE {ctype!r}: pg_trgm makes no trigrams "
                    "of Hangul there, so Korean search finds nothing",
                    hint="Create the database with LC_CTYPE 'C.UTF-8' (or ko_KR.UTF-8): "
                    "CREATE DATABASE portal TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'",
                    id="news.E001",
                )
            )
    return errors


@register(Tags.caches)
def edge_needs_a_shared_cache(app_configs, **kwargs):
    """news.edge keeps when each key last changed in the cache, for every app process to read."""
    from django.conf import settings

    if settings.EDGE_PURGE_URLS and "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        return [
            Warning(
                "EDGE_PURGE_URLS is set but the cache is this process's memory: with several app processes, a "
                "page rendered in one while another saves a change may be stored at the edge until s-maxage",
                hint="Set REDIS_URL, so that every app process shares the cache.",
                id="news.W002",
            )
        ]
    return []
