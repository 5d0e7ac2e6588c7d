"""WSGI entry point for production servers (e.g. ``gunicorn tsunagari.wsgi``).

Stateless public pages (the navigator) are served without the staff-session middleware: see
:mod:`tsunagari.core.stateless`.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")

from tsunagari.core import stateless

application = stateless.application()
