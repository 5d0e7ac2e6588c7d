"""Errors of the cases services; messages are translated and never contain personal data."""

from __future__ import annotations

from django.utils.translation import gettext as _


class StaleRecordError(Exception):
    """The record changed since the caller read it (optimistic locking): reload and redo."""

    def __init__(self, label: str, expected_version: int) -> None:
        self.expected_version = expected_version
        super().__init__(
            _("%(label)sは、読み込んだ後に他の人が更新しました。もう一度開いて、変更をやり直してください。")
            % {"label": label}
        )


class InvalidRecordError(ValueError):
    """Submitted data does not fit the record form; ``errors`` are ``FieldError`` (codes, no values)."""

    def __init__(self, errors) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(e.message for e in self.errors))
