"""Per-request facts about a staff user, remembered on the user object.

Django keeps a user's permissions on the user object (``_perm_cache``); the scope rules do the same
with what they read for a user (their partner bodies, their areas): a request loads its user once,
so a page that checks several objects asks the database once, and the next request starts afresh.
Code that changes such rows and checks again in the same request must load the user again, as it
must for permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def remembered(user, name: str, make: Callable[[], T]) -> T:
    """``make()`` the first time ``name`` is asked of this user object, the same value afterwards."""
    attribute = f"_tsunagari_{name}"
    value = getattr(user, attribute, None)
    if value is None:
        value = make()
        setattr(user, attribute, value)
    return value
