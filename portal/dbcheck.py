"""Say in one line whether a PostgreSQL server answers, and make sure the template the test database is
copied from has an explicit UTF-8 locale (Korean search needs Hangul trigrams): `python -m portal.dbcheck URL`."""

from __future__ import annotations

import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

TEST_TEMPLATE = "portal_test_template"
TEST_LOCALE = "C.UTF-8"


def check(url: str, create: bool = False) -> str | None:
    """Return None when the server answers (and the test template exists), else the reason it does not.

    With `create`, the URL's own database is made too (from the UTF-8 template) if it does not exist yet.
    """
    params = conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    wanted = params.get("dbname")
    # Ask the maintenance database: the project's own may not exist yet on a fresh machine.
    params |= {"dbname": "postgres", "connect_timeout": 5}
    try:
        with psycopg.connect(**params, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEST_TEMPLATE]).fetchone():
                conn.execute(
                    f"CREATE DATABASE {TEST_TEMPLATE} TEMPLATE template0 ENCODING 'UTF8' "
                    f"LC_COLLATE '{TEST_LOCALE}' LC_CTYPE '{TEST_LOCALE}'"
                )
            if (
                create
                and wanted
                and not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [wanted]).fetchone()
            ):
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(wanted), sql.Identifier(TEST_TEMPLATE)
                    )
                )
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


if __name__ == "__main__":
    url = sys.argv[1]
    if reason := check(url, create="--create" in sys.argv[2:]):
        sys.exit(f"error: PostgreSQL does not answer at {url}: {reason}")
