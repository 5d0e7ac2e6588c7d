"""A bare WSGI application for ``bench/floor.py``: 9 bytes for every request, no Django — what
gunicorn and wrk alone give on this machine."""

BODY = b"floor ok\n"


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
