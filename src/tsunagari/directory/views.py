"""Public pages (filled in below)."""


def home(request, **kw):
    raise NotImplementedError


def search(request, **kw):
    raise NotImplementedError


def topic_index(request, **kw):
    raise NotImplementedError


def topic_detail(request, **kw):
    raise NotImplementedError


def service_detail(request, **kw):
    raise NotImplementedError
