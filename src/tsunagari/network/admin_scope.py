"""The admin's object-level scope for the network's platform-scoped models (issue 7 roles).

``PlatformScopedAdmin`` (for ``ModelAdmin`` and inline classes) asks ``tsunagari.network.policy``
and nothing else:

- the change list, the change/delete/history pages and the raw-id/autocomplete pickers see
  ``policy.scope_to_user(user, queryset)``: a local platform officer only their platforms'
  objects (Django's admin answers an object outside it with a redirect to the admin index and the
  message that it does not exist, revealing nothing); the secretariat and superusers everything;
- ``has_view/change/delete_permission(request, obj)``: the model permission (the role group)
  *and* ``policy.may_view_object`` / ``policy.may_manage_object`` for ``obj``;
- foreign keys to platforms, memberships, committees, events, newsletters (and member bodies) offer
  only scoped choices, so a posted id of another platform's object is a form error;
- on save, ``policy.may_manage_object`` for the object as it would be saved: an object that points
  at a platform the user does not manage is a form error (never a 500), nothing is written.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tsunagari.network import policy

SCOPED_FOREIGN_KEYS = ("platform", "membership", "committee", "event", "newsletter", "body")
"""Foreign keys whose choices are narrowed to what the user may manage (bodies: may see)."""

RELATED_ONLY_FILTERS = ("platform", "event", "newsletter", "committee")
"""List filters that show only the values present in the user's scope (not every platform)."""


def _scoped_form(form_class, user, parent_attname: str | None = None):
    """A subclass of ``form_class`` that refuses an object ``user`` may not manage; for an inline's
    form, ``parent_attname`` names the foreign key to the parent (checked by the parent's form)."""

    class ScopedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            if self.errors or not policy.is_platform_scoped(type(self.instance)):
                return
            # A row of a parent being added gets its parent on save; the parent's form decides.
            if parent_attname and getattr(self.instance, parent_attname) is None:
                return
            try:
                allowed = policy.may_manage_object(user, self.instance)
            except LookupError:
                return
            if not allowed:
                self.add_error(
                    None,
                    ValidationError(
                        _("担当していないプラットフォームのデータは登録・変更できません。"),
                        code="platform_not_managed",
                    ),
                )

    ScopedForm.__name__ = form_class.__name__
    return ScopedForm


class PlatformScopedAdmin:
    """Mixin for a ``ModelAdmin`` or ``InlineModelAdmin`` of a platform-scoped model (see the module
    docstring); put it first in the bases."""

    def get_queryset(self, request):
        return policy.scope_to_user(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if not allowed or obj is None or not self._is_own_object(obj):
            return allowed
        return policy.may_view_object(request.user, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or not self._is_own_object(obj):
            return allowed
        return policy.may_manage_object(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None or not self._is_own_object(obj):
            return allowed
        return policy.may_manage_object(request.user, obj)

    def _is_own_object(self, obj) -> bool:
        # An inline's permission methods receive the *parent* object; the parent admin decides it.
        return isinstance(obj, self.model)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in SCOPED_FOREIGN_KEYS and policy.is_platform_scoped(db_field.related_model):
            base = kwargs.get("queryset")
            if base is None:
                base = db_field.remote_field.model._default_manager.using(kwargs.get("using"))
            kwargs["queryset"] = policy.scope_to_user(request.user, base.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        return [
            (name, admin.RelatedOnlyFieldListFilter) if name in RELATED_ONLY_FILTERS else name
            for name in super().get_list_filter(request)
        ]

    def get_form(self, request, obj=None, **kwargs):
        return _scoped_form(super().get_form(request, obj, **kwargs), request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _scoped_form(formset.form, request.user, formset.fk.get_attname())
        return formset
