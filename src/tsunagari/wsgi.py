"""WSGI entry point for production servers (e.g. ``gunicorn tsunagari.wsgi``).

Stateless public pages (the navigator) are served without the staff-session middleware: see
:mod:`tsunagari.core.stateless`. Loading this module warms the process up and freezes its heap
(:mod:`tsunagari.core.warmup`): the server's first requests cost what later ones do.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")

from tsunagari.core import stateless, warmup

application = stateless.application()
warmup.prepare_process()  # before the first request (and, with gunicorn --preload, before the fork)
