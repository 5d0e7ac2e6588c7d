"""Shared fixtures.

The test database is set up once per session with the reference data (every local government)
and the bundled national directory, as ``tsunagari setup`` loads them; each test runs in a
transaction that is rolled back, so tests may add or change records freely.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tsunagari.core.services import load_local_governments
    from tsunagari.directory.importers.run import import_bundled_directory

    with django_db_blocker.unblock():
        load_local_governments()
        for _name, _report in import_bundled_directory():
            pass


def pytest_configure(config):
    """Build the .mo catalogues from the .po sources, as ``tsunagari setup`` does; no TTL caching
    (tests roll back their writes, which a cache would outlive; test_ttl_cache turns it on); a
    field-encryption keyring of the test run (never a developer's key file; tests of the keys set
    their own)."""
    import json

    from django.conf import settings

    from tsunagari.core import crypto
    from tsunagari.core.catalogues import compile_catalogues

    compile_catalogues()
    settings.TSUNAGARI_CACHE_SECONDS = 0
    settings.TSUNAGARI_FIELD_KEYS = json.dumps({"active": "test", "keys": {"test": crypto.generate_key()}})


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's ``admin_client`` (a client of its own), logged in as staff are: second factor
    verified (superusers need one; see ``tests.staff_login``)."""
    from django.test import Client

    from tests.staff_login import login_staff

    client = Client()
    login_staff(client, admin_user)
    return client
