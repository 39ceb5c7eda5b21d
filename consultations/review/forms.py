"""The clinician's decision form: it reads what was typed; the service decides what is allowed."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultations.review.models import (
    CLEARANCE_DAYS,
    OVERRIDE_MIN_LENGTH,
    ClearanceCondition,
    DecisionKind,
)

DATE_ERRORS = {"invalid": _("Enter a real date, for example 2026-12-01.")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def request_prefix(product: str, area: str) -> str:
    """One form per requested (product, area) on the page: each needs its own field ids."""
    return f"{product}--{area}"


class DecisionForm(forms.Form):
    """One decision for one requested (product, area).

    `has_block` adds the override justification (and says why it is asked for);
    `today` sets the default expiry of a clearance.
    """

    # The decision the clinician saw standing (the form's prefix names the request).
    replaces = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("Decision"),
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    conditions = forms.MultipleChoiceField(
        label=_("Conditions of the clearance"),
        choices=ClearanceCondition.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    conditions_note = forms.CharField(
        label=_("Other conditions"),
        help_text=_("For example: lidocaine-free product only. The front desk sees this."),
        max_length=500,
        required=False,
    )
    expires_on = forms.DateField(
        label=_("Clearance expires on"),
        required=False,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
    )
    defer_until = forms.DateField(
        label=_("Defer until"),
        help_text=_("Only for “Defer until a date”: the first day the patient may be treated."),
        required=False,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
    )
    justification = forms.CharField(
        label=_("Override justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message_to_patient = forms.CharField(
        label=_("Message to the patient (optional)"),
        help_text=_("Plain words; the patient reads this in their account and email."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Clinical note (optional)"),
        help_text=_("For clinicians only; the patient never sees it."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, has_block: bool = False, today: dt.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.has_block = has_block
        self.fields["expires_on"].help_text = gettext(
            "Default %(days)d days from today; at most a year."
        ) % {"days": CLEARANCE_DAYS}
        if today is not None and not self.is_bound:
            self.initial.setdefault("expires_on", today + dt.timedelta(days=CLEARANCE_DAYS))
        if has_block:
            field = self.fields["justification"]
            field.label = _("Override justification (required to clear)")
            field.help_text = gettext(
                "This request has a block flag, so clearing it overrides the screening. Write "
                "why it is safe for this patient (at least %(n)d characters). Not needed for the "
                "other decisions."
            ) % {"n": OVERRIDE_MIN_LENGTH}
            field.widget.attrs["minlength"] = OVERRIDE_MIN_LENGTH
        else:
            del self.fields["justification"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        # Without JavaScript every field is on screen, and the expiry is prefilled: a date
        # belongs only to the decision it is asked for, so the others' dates are not sent on.
        for name, needed_for in (
            ("expires_on", DecisionKind.CLEAR),
            ("defer_until", DecisionKind.DEFER),
        ):
            if kind != needed_for:
                data[name] = None
                self._errors.pop(name, None)
        return data
