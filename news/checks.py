from django.core.checks import Error, Tags, register
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
            errors.append(Error(
                f"database {connection.settings_dict['NAME']!r} has LC_CTYPE {ctype!r}: pg_trgm makes no trigrams "
                "of Hangul there, so Korean search finds nothing",
                hint="Create the database with LC_CTYPE 'C.UTF-8' (or ko_KR.UTF-8): "
                     "CREATE DATABASE portal TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'",
                id="news.E001",
            ))
    return errors
