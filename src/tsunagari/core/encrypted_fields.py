"""Model fields whose values are stored encrypted (AES-256-GCM, see ``core.crypto``).

Contract
--------
- On the model instance the attribute holds the plaintext (``str`` for ``EncryptedTextField``, any
  JSON value for ``EncryptedJSONField``); the database column holds only a token
  ``gcm1:<key id>:<nonce>:<ciphertext>``, bound (associated data) to the table, the column and the
  row's primary key. The primary key must therefore be known before the first save: models with
  encrypted fields use a UUID primary key with a default.
- Values are decrypted lazily, on first attribute access, and re-encrypted with the active key on
  every ``save()``. A token that does not open (unknown/wrong key, tampered, copied from another
  row) raises ``crypto.DecryptionError`` on access: never silently wrong data.
- ``.values()``/``.values_list()`` return ``Sealed`` tokens, not plaintext. ``QuerySet.update()``
  accepts only ``Sealed`` values (rotation), not plaintext. Encrypted columns cannot be searched
  or ordered by content.
- Serialisation (``dumpdata``) writes the tokens, never the plaintext; they open only in the same
  table, column and primary key, with the same keys (``loaddata`` of them is not supported).
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from tsunagari.core import crypto
from tsunagari.core.field_keys import keyring


class Sealed:
    """An encrypted value as stored (its token), not yet opened."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    @property
    def key_id(self) -> str:
        return crypto.token_key_id(self.token)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)

    def __repr__(self) -> str:
        return "<Sealed>"


class _DecryptingAttribute(DeferredAttribute):
    """Opens a ``Sealed`` value on first access and keeps the plaintext on the instance."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text stored encrypted; see the module docstring."""

    descriptor_class = _DecryptingAttribute

    def encode(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{self.model.__name__}.{self.name} holds text")
        return value

    def decode(self, text: str) -> Any:
        return text

    def aad(self, row_id: object) -> bytes:
        return crypto.associated_data(self.model._meta.db_table, self.column, row_id)

    def open(self, instance: models.Model, sealed: Sealed) -> Any:
        return self.decode(crypto.open_token(keyring(), sealed.token, self.aad(instance.pk)))

    def seal(self, row_id: object, value: Any) -> Sealed:
        return Sealed(crypto.seal(keyring(), self.encode(value), self.aad(row_id)))

    def pre_save(self, model_instance: models.Model, add: bool) -> Sealed | None:
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        if model_instance.pk is None:
            raise ValueError(
                f"{self.model.__name__}: the primary key must be set before saving encrypted fields"
            )
        return self.seal(model_instance.pk, value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        raise TypeError(
            f"{self.model.__name__}.{self.name} is encrypted: write it through save(), not update() "
            "or a filter"
        )

    def value_to_string(self, obj) -> str:  # serialisation must not leak the plaintext
        value = obj.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            return value.token
        return "" if value is None else self.seal(obj.pk, value).token


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (dict, list, text, number) stored encrypted."""

    def encode(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def decode(self, text: str) -> Any:
        return json.loads(text)


def encrypted_fields() -> list[EncryptedTextField]:
    """Every encrypted field of every installed model (concrete models only)."""
    return [
        field
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.local_fields
        if isinstance(field, EncryptedTextField)
    ]
