"""The admin, closed to the curious: each front door's administrators see and
change only their own front door's agencies, people and rules, and every
change they make is audited.

A front door's administrator is a person with the administrator role there,
signed in with two factors like everyone else; they are not a superuser and
need no Django permissions. A deployment's own superuser (created with
`manage.py createsuperuser`, never by the demo) sees everything.

Each model's admin says which of its rows belong to which front doors
(`ScopedAdmin.in_front_doors`); every list, form, choice and object lookup is
limited to those rows, so another front door's agency, person or key is
"not found" in the admin as it is everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from agencies.models import Agency, Role
from agencies.selectors import get_access
from audit.models import Action
from audit.services import Origin, record_event


def administered_front_doors(user: Any) -> frozenset[int]:
    """The front doors this person administers."""
    return get_access(user).front_door_ids_with({Role.ADMINISTRATOR})


def is_deployment_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def agencies_of(front_doors: frozenset[int]) -> Q:
    """Agencies that belong to these front doors: the front doors themselves
    and their partner agencies."""
    return Q(pk__in=front_doors) | Q(front_door_id__in=front_doors)


class FrontDoorAdminSite(admin.AdminSite):
    site_header = "Front Door administration"
    site_title = "Front Door administration"
    index_title = "Your front door's agencies, people and rules"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return is_deployment_superuser(user) or bool(administered_front_doors(user))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The admin signs in like every page: password, then second factor."""
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('sign-in')}?{urlencode({'next': target})}")


class ScopedAdmin(admin.ModelAdmin):
    """An admin limited to the rows of the front doors a person administers,
    and audited. Subclasses say which rows those are in `in_front_doors`; a
    model that belongs to no front door is for the deployment's superuser."""

    # Front-door administrators may not delete: they switch things off (an
    # agency, a membership, a key), and the record of them stays.
    allow_delete = False

    def in_front_doors(self, front_doors: frozenset[int]) -> Q | None:
        """The rows of these front doors, or None if the model is the whole
        deployment's (then only the superuser sees it)."""
        return None

    # --- which rows -----------------------------------------------------
    def scope(self, request: HttpRequest) -> Q | None:
        if is_deployment_superuser(request.user):
            return Q()
        rule = self.in_front_doors(administered_front_doors(request.user))
        return rule

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        rule = self.scope(request)
        return queryset.none() if rule is None else queryset.filter(rule).distinct()

    def _in_scope(self, request: HttpRequest, obj: Model | None) -> bool:
        rule = self.scope(request)
        if rule is None:
            return False
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """Another front door's object has no history here: it is not found."""
        self._found_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._found_or_404(request, object_id)
        return super().history_form_view(  # type: ignore[misc, no-any-return]
            request, object_id, version_id, extra_context
        )

    def _found_or_404(self, request: HttpRequest, object_id: str) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("Not found")

    # --- what they may do -----------------------------------------------
    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.scope(request) is not None

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.scope(request) is not None

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if is_deployment_superuser(request.user):
            return True
        return self.allow_delete and self._in_scope(request, obj)

    # --- choices in forms: only this front door's agencies ----------------
    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Agency and not is_deployment_superuser(request.user):
            front_doors = administered_front_doors(request.user)
            kwargs["queryset"] = Agency.objects.filter(agencies_of(front_doors))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- audit ------------------------------------------------------------
    def _audit(self, request: HttpRequest, obj: Model, what: str, message: Any = "") -> None:
        record_event(
            actor=request.user,
            action=Action.ADMIN_CHANGED,
            object_type=obj._meta.label_lower[:64],
            object_ref=str(obj.pk)[:64],
            origin=Origin.of(request, via="admin"),
            detail={"what": what, "object": str(obj)[:200], "change": str(message)[:500]},
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        self._audit(request, obj, "added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        self._audit(request, obj, "changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            self._audit(request, obj, "deleted")
        return super().log_deletions(request, queryset)


class ScopedInline(admin.TabularInline):
    """An inline whose agency choices are the administrator's own."""

    extra = 0

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Agency and not is_deployment_superuser(request.user):
            front_doors = administered_front_doors(request.user)
            kwargs["queryset"] = Agency.objects.filter(agencies_of(front_doors))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_deployment_superuser(request.user)
