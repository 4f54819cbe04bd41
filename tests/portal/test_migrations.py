"""Migrations a release can rely on: they match the models, and each one can be undone (or says why not),
so that a release can be rolled back (docs/deployment.md, Upgrades)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

OUR_APPS = ("portal", "news", "comments", "ads")


def test_the_models_and_the_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits (SystemExit) on a missing one


def test_every_migration_can_be_undone_or_says_why_not():
    """An operation without a way back (RunPython or RunSQL without reverse code) is allowed only in a
    migration that sets `irreversible_because` to the reason, for the release notes."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {key: migration for key, migration in loader.disk_migrations.items() if key[0] in OUR_APPS}
    assert {app for app, _name in ours} == set(OUR_APPS)
    unexplained = {
        f"{app}.{name}": [operation.describe() for operation in migration.operations if not operation.reversible]
        for (app, name), migration in ours.items()
        if not getattr(migration, "irreversible_because", "")
    }
    assert {name: ops for name, ops in unexplained.items() if ops} == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_our_migrations_run_backwards_and_forwards_on_postgresql():
    """Undoing every migration of ours, then applying them again, leaves the same tables and indexes."""

    def schema() -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public'")
            return set(cursor.fetchall())

    before = schema()
    for app in ("comments", "ads", "news", "portal"):  # dependents first
        call_command("migrate", app, "zero", verbosity=0)
    assert not {table for table, _index in schema()} & {"news_article", "comments_comment", "ads_ad"}
    call_command("migrate", verbosity=0)
    assert schema() == before
