"""Render Django form fields with GOV.UK Design System markup.

{% govuk_field form.child_first_name %}
{% govuk_field form.kind legend_size="m" %}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms, template
from django.forms.widgets import ChoiceWidget
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.forms import DateInputWidget
from core.names import display_name
from core.paths import referral_path

register = template.Library()


def _kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def _date_parts(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {p: value.get(p, "") for p in DateInputWidget.parts}
    if isinstance(value, dt.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    return {"day": "", "month": "", "year": ""}


@register.inclusion_tag("components/field.html")
def govuk_field(
    field: forms.BoundField,
    label_size: str = "",
    is_page_heading: bool = False,
    width: str = "",
) -> dict[str, Any]:
    kind = _kind(field)
    errors = field.errors
    error = errors[0] if errors else ""
    widget = field.field.widget
    value = field.value()
    context: dict[str, Any] = {
        "field": field,
        "kind": kind,
        "error": error,
        "id": field.auto_id,
        "name": field.html_name,
        "label": field.label,
        "hint": field.help_text,
        "label_size": label_size,
        "is_page_heading": is_page_heading,
        "width": width or getattr(widget, "govuk_width", ""),
        "required": field.field.required,
        # A password is never sent back to the browser (shared machines),
        # and a browser never takes a file's value: it is chosen again.
        "value": ""
        if value is None
        or kind == "file"
        or (isinstance(widget, forms.PasswordInput) and not widget.render_value)
        else value,
        "attrs": widget.attrs,
    }
    if kind == "input":
        context["input_type"] = getattr(widget, "input_type", "text")
    if kind == "date":
        context["parts"] = _date_parts(value)
        invalid = set()
        if error and isinstance(value, dict):
            invalid = {p for p in DateInputWidget.parts if not value.get(p)} or set(
                DateInputWidget.parts
            )
        elif error:
            invalid = set(DateInputWidget.parts)
        context["invalid_parts"] = invalid
    # Radios, checkboxes and selects are all choice widgets: Django renders
    # their options from widget.choices, which the field keeps equal to its own.
    if kind in {"radios", "select", "checkboxes"} and isinstance(widget, ChoiceWidget):
        hints = getattr(field.field, "choice_hints", {})
        current = "" if value is None else str(value)
        selected = {str(v) for v in value} if isinstance(value, list | tuple) else {current}
        context["options"] = [
            {
                "value": str(choice_value),
                "label": choice_label,
                "hint": hints.get(choice_value, ""),
                "checked": str(choice_value) in selected,
                "id": field.auto_id if index == 0 else f"{field.auto_id}-{index + 1}",
            }
            for index, (choice_value, choice_label) in enumerate(widget.choices)
            if not (kind in {"radios", "checkboxes"} and choice_value == "")
        ]
    return context


@register.simple_tag
def govuk_fields(form: Any, label_size: str = "") -> SafeString:
    """Every question of a form in order, the ones an answer reveals
    (`form.reveals`) grouped straight after the radios that decide them."""
    reveals = getattr(form, "reveals", ())
    nested = {name for reveal in reveals for name in reveal.fields}

    def one(bound: forms.BoundField) -> SafeString:
        return render_to_string("components/field.html", govuk_field(bound, label_size=label_size))

    parts: list[SafeString] = []
    for bound in form:
        if bound.name in nested:
            continue
        parts.append(one(bound))
        for reveal in reveals:
            if reveal.field != bound.name:
                continue
            parts.append(
                format_html(
                    '<div class="app-reveal" id="{}" data-module="app-reveal" '
                    'data-reveal-field="{}" data-reveal-values="{}">{}</div>',
                    f"{bound.auto_id}-reveal-{'-'.join(reveal.values)}",
                    bound.html_name,
                    " ".join(reveal.values),
                    format_html_join("", "{}", ((one(form[name]),) for name in reveal.fields)),
                )
            )
    # Each part is a SafeString from our escaping templates: joined as it is.
    return format_html_join("", "{}", ((part,) for part in parts))


@register.inclusion_tag("components/error_summary.html")
def govuk_error_summary(form: Any) -> dict[str, Any]:
    return {"items": form.error_summary() if form is not None and form.errors else []}


@register.filter
def local_when(moment: dt.datetime | None) -> str:
    """'2:05pm on Wednesday 25 November 2026', in the portal's time zone."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%-I:%M%p}".lower() + f" on {local:%A %-d %B %Y}"


@register.filter
def local_short(moment: dt.datetime | None) -> str:
    """'25 Nov 2026, 2:05pm'."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%-d %b %Y}, " + f"{local:%-I:%M%p}".lower()


@register.filter
def answer(value: Any) -> str:
    """A stored choice as people read it: "not_known" is "Not known"."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def person(user: Any) -> str:
    if user is None:
        return ""
    return display_name(user)


@register.simple_tag
def countdown(deadline: dt.datetime | None, now: dt.datetime) -> str:
    """'due in 2 hours 10 minutes' or 'overdue by 1 day 3 hours', to the minute."""
    if deadline is None:
        return ""
    delta = deadline - now
    overdue = delta.total_seconds() < 0
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (minutes or not parts):
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    text = " ".join(parts[:2])
    return f"overdue by {text}" if overdue else f"due in {text}"


@register.simple_tag
def elapsed(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """'2 hours 5 minutes', between two moments."""
    if start is None or end is None:
        return ""
    return countdown(end, start).removeprefix("due in ").removeprefix("overdue by ")


@register.filter
def reference_url(reference: str, name: str) -> str:
    """{{ referral.reference|reference_url:"referral-detail" }}: the same path
    as {% url "referral-detail" referral.reference %}, resolved once a page
    rather than once a row."""
    return referral_path(name, reference)


@register.simple_tag(takes_context=True)
def select_options(
    context: template.Context, choices: list[tuple[Any, str]], selected: Any = None
) -> SafeString:
    """<option>s for (value, label) pairs, escaped once per page and list:
    the dashboard offers every worker on every row."""
    key = f"select_options:{id(choices)}"
    rendered = context.render_context.get(key)
    if rendered is None:
        rendered = context.render_context[key] = str(
            format_html_join("", '<option value="{}">{}</option>', choices)
        )
    if selected is not None:
        value = str(format_html_join("", "{}", [(selected,)]))
        rendered = rendered.replace(
            f'<option value="{value}">', f'<option value="{value}" selected>', 1
        )
    return mark_safe(rendered)  # noqa: S308 - built by format_html_join above; # nosec B308, B703
