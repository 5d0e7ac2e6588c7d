"""URL patterns: filled in by its feature."""

urlpatterns: list = []
