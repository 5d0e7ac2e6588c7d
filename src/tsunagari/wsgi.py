"""WSGI entry point for production servers.

The navigator's load benchmark is recorded with granian, which keeps connections alive and parses HTTP
outside Python (``bench/navigator_load.py``; about a quarter less CPU per turn than gunicorn's sync
worker, BENCHMARKS.md)::

    granian --interface wsgi --workers 2 --blocking-threads 1 --respawn-failed-workers \
        --workers-kill-timeout 10 --no-ws tsunagari.wsgi:application

``gunicorn tsunagari.wsgi:application`` serves the same application. Either way, behind an HTTPS
reverse proxy in production (README).

Stateless public pages (the navigator) are served without the staff-session middleware: see
:mod:`tsunagari.core.stateless`. Loading this module warms the process up and freezes its heap
(:mod:`tsunagari.core.warmup`): the server's first requests cost what later ones do.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")

from tsunagari.core import stateless, warmup

application = stateless.application()
warmup.prepare_process()  # before the first request (and, with gunicorn --preload, before the fork)
