"""The sign-in forms: username and password, then a security code from an
authenticator app or a recovery code, or a passkey."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SingleSignOn
from accounts.services import RECOVERY_CODE_LENGTH, note_failed_sign_in, sign_in_wait
from core.forms import GovukForm


class SignInForm(AuthenticationForm, GovukForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is not active. Ask your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            wait = sign_in_wait(username)
            if wait:
                # Not tried, so not counted: the wait slows guessing, it
                # never locks the person out.
                raise forms.ValidationError(
                    f"Wait {wait} seconds, then try again. After wrong passwords, "
                    "Front Door waits a little longer before each try.",
                    code="wait",
                )
        try:
            return super().clean()
        except forms.ValidationError as error:
            if username and error.code == "invalid_login":
                note_failed_sign_in(username)
            raise

    def error_summary(self) -> list[tuple[str, str]]:
        # A failed sign-in is not about one field: link it to the username.
        return [(anchor or "id_username", message) for anchor, message in super().error_summary()]


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Security code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        error_messages={"required": "Enter the security code"},
    )

    def __init__(self, *args: Any, user: User, devices: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.devices = devices
        self.device: Any = None
        if not any(isinstance(device, TOTPDevice) for device in devices):
            # Someone who signs in with a passkey and has no app.
            self.fields["code"].help_text = "One of your recovery codes."
        self.fields["code"].widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "inputmode": "text",
            }
        )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).lower()
        if code.isdigit() and len(code) not in (6, RECOVERY_CODE_LENGTH):
            # Too short or too long to be either: say what is wanted.
            if any(isinstance(d, TOTPDevice) for d in self.devices):
                raise forms.ValidationError(
                    "Enter the 6-digit code from your authenticator app, or a recovery code"
                )
            raise forms.ValidationError("Enter one of your recovery codes")
        throttled = False
        # Six digits are for the app, anything else is a recovery code: trying
        # a recovery code on the app would count as a wrong code there.
        kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
        for device in (d for d in self.devices if isinstance(d, kind)):
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                self.device = device
                return code
        if throttled:
            raise forms.ValidationError(
                "Too many wrong codes. Wait a minute, then enter a new code from your app"
            )
        raise forms.ValidationError("Enter the correct security code")


class SetUpForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=6,
        help_text="Enter the 6 digits the app shows for Front Door.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.device = device
        self.fields["code"].widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code did not match. Check the app shows Front Door and enter the newest code"
            )
        return code


class PasskeyForm(GovukForm):
    """What static/js/passkeys.mjs posts: the browser's answer from the
    passkey, or the name of the error the browser gave instead."""

    credential = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    problem = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    # Every problem here is with the passkey, not with anything typed: the
    # error summary links to the button that asks for it again.
    anchor = "passkey-button"
    not_sent = (
        "Your browser did not send a passkey. Passkeys need JavaScript: "
        "enter a code from your authenticator app or a recovery code instead"
    )
    cancelled = (
        "Your passkey was not used. Try again and follow what your browser asks, "
        "or enter a code instead"
    )
    refused = "Your passkey was not accepted. Try again, or enter a code instead"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("credential"):
            problem = cleaned.get("problem") or ""
            if not problem:
                raise forms.ValidationError(self.not_sent)
            # NotAllowedError: the person cancelled, or took too long.
            if problem == "NotAllowedError":
                raise forms.ValidationError(self.cancelled)
            raise forms.ValidationError(self.refused)
        return cleaned

    def passkey_error(self) -> str:
        errors = self.non_field_errors()
        if errors:
            return str(errors[0])
        return self.refused if {"credential", "problem"} & set(self.errors) else ""

    def error_summary(self) -> list[tuple[str, str]]:
        message = self.passkey_error()
        return [(self.anchor, message)] if message else []


class AddPasskeyForm(PasskeyForm):
    name = forms.CharField(
        label="Name this passkey",
        max_length=64,
        help_text="So you can tell your passkeys apart, for example ‘Work laptop’ or "
        "‘Blue security key’.",
        error_messages={
            "required": "Enter a name for the passkey",
            "max_length": "Name must be 64 characters or fewer",
        },
    )

    field_order = ["name", "credential", "problem"]
    cancelled = (
        "The passkey was not added. Try again and follow what your browser asks, or choose Cancel"
    )
    refused = "The passkey was not added. Try again, or try another passkey"
    not_sent = (
        "Your browser did not make a passkey. Adding one needs JavaScript: "
        "keep using your authenticator app"
    )
    exists = "That passkey is already added to your account. Try another one"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self) -> dict[str, Any]:
        if "name" in self.errors:
            # The script makes no passkey until the name is right.
            return self.cleaned_data
        if (
            not self.cleaned_data.get("credential")
            and self.cleaned_data.get("problem") == "InvalidStateError"
        ):
            # The browser found this passkey among those the page said exist.
            raise forms.ValidationError(self.exists)
        return super().clean()

    def error_summary(self) -> list[tuple[str, str]]:
        items = []
        if "name" in self.errors:
            items.append(("id_name", str(self.errors["name"][0])))
        return items + super().error_summary()


class OrganisationSignInForm(GovukForm):
    """Signing in with an organisation's account: the work email says which
    agency's provider to go to (`options`, the agencies using its domain);
    where several agencies share a domain (every NHS organisation uses
    nhs.net), the person chooses theirs. `chosen` is set once there is one."""

    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        help_text="The email address your organisation gave you.",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    organisation = forms.TypedChoiceField(
        label="Which organisation do you work for?",
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        choices=[],
        error_messages={"invalid_choice": "Select the organisation you work for"},
    )

    def __init__(self, *args: Any, options: list[SingleSignOn], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        self.chosen: SingleSignOn | None = None
        organisation = cast(forms.ChoiceField, self.fields["organisation"])  # declared above
        organisation.choices = [
            (option.pk, f"{option.agency.name} ({option.provider_name})") for option in options
        ]
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    @property
    def choosing(self) -> bool:
        """Whether to show the organisations to choose from."""
        return len(self.options) > 1 and "email" not in self.errors

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "email" in self.errors or "organisation" in self.errors:
            return data
        picked = data.get("organisation")
        if not self.options:
            self.add_error(
                "email",
                "Your organisation does not sign in to Front Door with its own account. "
                "Check the email address, or sign in with your username and password",
            )
        elif len(self.options) == 1:
            self.chosen = self.options[0]
        elif picked:
            self.chosen = next(option for option in self.options if option.pk == picked)
        elif "organisation" in self.data:
            self.add_error("organisation", "Select the organisation you work for")
        return data
