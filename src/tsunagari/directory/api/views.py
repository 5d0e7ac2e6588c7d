"""Thin API views (filled in below)."""


def service_list(request, **kw):
    raise NotImplementedError


def service_detail(request, **kw):
    raise NotImplementedError


def organization_list(request, **kw):
    raise NotImplementedError


def organization_detail(request, **kw):
    raise NotImplementedError


def taxonomy_list(request, **kw):
    raise NotImplementedError


def taxonomy_term_list(request, **kw):
    raise NotImplementedError


def openapi(request, **kw):
    raise NotImplementedError
