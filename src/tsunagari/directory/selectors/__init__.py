"""Read-side queries of the directory (views, API and CLI call these; they never write)."""
