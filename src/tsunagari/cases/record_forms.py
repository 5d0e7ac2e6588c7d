"""Versioned record forms of case sections (assessment etc.), as data.

The definitions are YAML files ``cases/data/record_forms/v<N>.yaml`` in the format of the
helpline's common consultation record, read and validated by the same code
(``helpline.record_forms``): records keep the version they were written with, a released file is
never edited, and the form evolves by adding ``v<N+1>.yaml``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from tsunagari.helpline import record_forms as _forms

FormDefinition = _forms.FormDefinition
FormDefinitionError = _forms.FormDefinitionError
FieldError = _forms.FieldError


@cache
def directory() -> Path:
    return Path(str(resources.files("tsunagari.cases").joinpath("data/record_forms")))


def current_version() -> str:
    return _forms.current_version(directory())


def available_versions() -> list[str]:
    return _forms.available_versions(directory())


def load_form(version: str) -> FormDefinition:
    return _forms.load_form(version, directory())
