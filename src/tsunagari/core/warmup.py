"""Prepare a server process before its first request.

A new process pays for a lot on its first requests: importing every view through the URL patterns
(WeasyPrint alone takes about half a second), each language's translation catalogue, the templates,
SudachiPy's dictionary, the navigator's flow, lexicon and crisis patterns. Without a warm-up the
first person to reach a freshly started worker waits over a second for a page; ``tsunagari.wsgi``
calls :func:`prepare_process` when a server loads the application, so that cost is paid before the
worker takes requests.

:func:`warm` does the project-wide part (URL patterns and their reverse tables in every language,
the translation catalogues) and then calls ``warm_up()`` on every installed app's ``AppConfig`` that
defines one (the navigator loads its data and templates). Contract for a ``warm_up()``: it loads what
the app's requests would load lazily, reads no database and writes nothing, and is safe to run
again. A part that fails is logged and left to its first request, which fails or succeeds as it
would have: the warm-up never stops a server from starting.

:func:`prepare_process` warms, closes any database connection, then runs a full collection and
freezes the heap (:func:`gc.freeze`): the objects that live as long as the process (modules, caches,
compiled templates, dictionaries) move to the permanent generation, so the collector's full passes
no longer walk them — such a pass took about 0.1 s of a worker in the navigator's load benchmark.
"""

from __future__ import annotations

import gc
import logging
import time

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def _urls_and_languages() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URL conf and every view it names
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the language's catalogue
            resolver.reverse_dict  # noqa: B018 - the reverse table of that language's URL prefix


def warm() -> dict[str, float]:
    """Load what the first requests would load; the seconds each part took, by part name.

    A part that raised is logged (with its traceback) and missing from the result."""
    parts = [("urls and languages", _urls_and_languages)]
    parts += [
        (config.label, config.warm_up)
        for config in apps.get_app_configs()
        if callable(getattr(config, "warm_up", None))
    ]
    seconds: dict[str, float] = {}
    for name, part in parts:
        started = time.perf_counter()
        try:
            part()
        except Exception:
            logger.exception("warm-up of %s failed; its first request will load it", name)
            continue
        seconds[name] = time.perf_counter() - started
    return seconds


def prepare_process() -> dict[str, float]:
    """:func:`warm`, close database connections (safe to fork after), collect and freeze the heap.

    Returns what :func:`warm` returned."""
    seconds = warm()
    connections.close_all()
    gc.collect()
    gc.freeze()
    logger.info(
        "warm-up took %.2f s: %s",
        sum(seconds.values()),
        ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()),
    )
    return seconds
