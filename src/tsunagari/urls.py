"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("tsunagari.directory.api.urls")),
    path("navi/", include("tsunagari.navigator.urls")),
    path("", include("tsunagari.directory.urls")),
]
