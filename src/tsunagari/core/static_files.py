"""Serving static files (CSS, JS) from the application itself, with WhiteNoise.

``settings.WHITENOISE_USE_FINDERS`` makes it serve the apps' ``static/`` folders directly, so a
fresh checkout needs no ``collectstatic``; a collected ``STATIC_ROOT`` is served too when it exists
(WhiteNoise would warn on every start about a missing one).
"""

from __future__ import annotations

import os

from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def add_files(self, root, prefix=None):
        if root and not os.path.isdir(root):
            return
        super().add_files(root, prefix)
