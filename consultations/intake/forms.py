"""One form per intake step. Forms validate what was typed and say in plain words what to fix."""

import datetime as dt
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.forms_renderer import FixedChoiceField, KeptOptionsSelect
from consultations.catalog.forms import CatalogChoiceField
from consultations.catalog.models import Area, Product, Treatment
from consultations.intake.choices import (
    AllergyReaction,
    CommonAllergy,
    Condition,
    Goal,
    Isotretinoin,
    Pregnancy,
    SexAtBirth,
    SkinFinding,
)
from consultations.intake.models import Intake
from consultations.intake.services import PreviousAnswer, RequestAnswer
from consultations.patients.formats import InvalidPhoneNumber, phone_example, phone_normalise

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
CLEAR = "clear"
NONE_OF_THESE = "none"


def yes_no(label: str, *, required: bool = True, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": _("Please answer yes or no.")},
    )


def as_yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StepForm(forms.Form):
    """A step's form: `answers()` gives the service exactly the step's fields."""

    def answers(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RequestForm(forms.Form):
    treatment = CatalogChoiceField(
        options="treatment_options",
        label=_("Treatment"),
        queryset=Treatment.objects.filter(is_active=True),
        empty_label=_("Choose a treatment"),
        error_messages={"required": _("Choose a treatment.")},
    )
    product = CatalogChoiceField(
        options="product_options",
        label=_("Product, if you know it"),
        queryset=Product.objects.filter(is_active=True).select_related("treatment"),
        required=False,
        empty_label=_("I don't know — the clinician will advise"),
    )
    area = CatalogChoiceField(
        options="area_options",
        label=_("Area"),
        queryset=Area.objects.all(),
        empty_label=_("Choose an area"),
        error_messages={"required": _("Choose the area to treat.")},
    )
    goal = FixedChoiceField(
        label=_("Main goal"),
        choices=[("", _("Choose a goal")), *Goal.choices],
        error_messages={"required": _("Choose what you would like to improve.")},
        widget=KeptOptionsSelect,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        treatment, product = cleaned.get("treatment"), cleaned.get("product")
        if treatment and product and product.treatment_id != treatment.pk:
            self.add_error(
                "product",
                _("%(product)s is not a %(treatment)s product. Choose another, or “I don't know”.")
                % {
                    "product": product.translated("name"),
                    "treatment": treatment.translated("name").lower(),
                },
            )
        return cleaned

    def answer(self) -> RequestAnswer:
        c = self.cleaned_data
        return RequestAnswer(
            treatment=c["treatment"], product=c.get("product"), area=c["area"], goal=c["goal"]
        )


class RowsFormSet(forms.BaseFormSet):
    """A formset of answer rows: catalog choices read once for all rows, rows removable."""

    remove_label = _("Remove this row")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One query per choice list for the whole page, not one per row (a catalog select's
        # options cost none: they come from the kept catalog names, their HTML written once).
        self._choices = {
            name: list(field.choices)
            for name, field in self.form.base_fields.items()
            if isinstance(field, forms.ModelChoiceField)
            and not isinstance(field, CatalogChoiceField)
        }

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        for name, choices in self._choices.items():
            form.fields[name].choices = choices
        return form

    @property
    def empty_form(self) -> forms.Form:
        form = super().empty_form
        for name, choices in self._choices.items():
            form.fields[name].choices = choices
        return form

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.remove_label

    def answers(self) -> list[Any]:
        """Each kept row's answer, in order (each row form has an `answer()`)."""
        return [
            form.answer()
            for form in self.forms
            # Blank extra rows come back with no cleaned data; kept rows always have it.
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class BaseRequestFormSet(RowsFormSet):
    remove_label = _("Remove this treatment")

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.answers():
            raise forms.ValidationError(_("Choose at least one treatment and area."))


RequestFormSet = formset_factory(
    RequestForm, formset=BaseRequestFormSet, extra=0, can_delete=True, max_num=10
)


class AboutForm(StepForm):
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DateInput({"autocomplete": "bday"}),
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _("Enter a real date, like 1990-04-01."),
        },
    )
    sex_at_birth = forms.ChoiceField(
        label=_("Sex at birth"),
        choices=SexAtBirth.choices,
        widget=forms.RadioSelect,
        help_text=_("Some medical questions depend on it."),
        error_messages={"required": _("Please choose one.")},
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
        help_text=_("So the clinic can reach you about your treatment. Optional."),
    )

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born.year < today.year - 120:
            raise forms.ValidationError(_("Please check the year of birth."))
        return born

    def clean_phone(self) -> str:
        """Stored in E.164 so that the clinic can dial it; typed as the patient dials it."""
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return phone_normalise(phone)
        except InvalidPhoneNumber:
            raise forms.ValidationError(
                _(
                    "This does not look like a phone number we can call. Write it as you "
                    "would dial it, for example %(example)s, or with the country code."
                ),
                params={"example": phone_example()},
            ) from None


class AllergiesForm(StepForm):
    has_allergies = yes_no(_("Do you have any allergies?"))
    common_allergies = forms.MultipleChoiceField(
        label=_("Are you allergic to any of these?"),
        choices=CommonAllergy.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allergies_other = forms.CharField(
        label=_("Other allergies"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Write them in your own words, with what happened if you remember."),
    )
    allergy_reaction = forms.ChoiceField(
        label=_("What was your worst allergic reaction?"),
        choices=AllergyReaction.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    multiple_severe_allergies = yes_no(
        _("Do you have more than one severe allergy?"), required=False
    )
    anaphylaxis_history = yes_no(
        _("Have you ever had anaphylaxis (a sudden severe allergic reaction)?"),
        help_text=_("For example after a sting, a food or a medicine, needing an adrenaline pen."),
    )

    def clean(self) -> dict[str, Any]:
        c = super().clean()
        if c.get("has_allergies"):
            if not c.get("common_allergies") and not c.get("allergies_other", "").strip():
                self.add_error("allergies_other", _("Tick an allergy above or write it here."))
            if not c.get("allergy_reaction"):
                self.add_error("allergy_reaction", _("Please choose one."))
            if c.get("multiple_severe_allergies") is None:
                self.add_error("multiple_severe_allergies", _("Please answer yes or no."))
        elif c.get("has_allergies") is False:
            c.update(
                common_allergies=[],
                allergies_other="",
                allergy_reaction="",
                multiple_severe_allergies=False,
            )
        return c


class MedicinesForm(StepForm):
    takes_medications = yes_no(_("Do you take any medicines or supplements?"))
    medications = forms.CharField(
        label=_("Which ones?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_(
            "Include blood thinners, aspirin, painkillers, fish oil, vitamin E, herbal "
            "remedies and the pill. Doses if you know them."
        ),
    )
    isotretinoin = forms.ChoiceField(
        label=_("Have you taken isotretinoin (Roaccutane, Accutane) for acne?"),
        choices=Isotretinoin.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose one.")},
    )
    isotretinoin_last_taken = forms.DateField(
        label=_("When did you last take it?"),
        required=False,
        widget=DateInput(),
        help_text=_("An approximate date is fine."),
        error_messages={"invalid": _("Enter a real date, like 2026-05-01.")},
    )
    recent_illness_or_vaccination = yes_no(
        _("In the last 2 weeks, have you been ill, had a vaccination or had dental work?")
    )
    recent_illness_details = forms.CharField(
        label=_("What was it?"), required=False, max_length=500
    )

    def clean(self) -> dict[str, Any]:
        c = super().clean()
        if c.get("takes_medications") and not c.get("medications", "").strip():
            self.add_error("medications", _("List your medicines and supplements."))
        if c.get("takes_medications") is False:
            c["medications"] = ""
        if c.get("isotretinoin") == Isotretinoin.RECENT:
            last = c.get("isotretinoin_last_taken")
            if last is None and "isotretinoin_last_taken" not in self.errors:
                self.add_error("isotretinoin_last_taken", _("Tell us roughly when."))
            elif last and last > timezone.localdate():
                self.add_error("isotretinoin_last_taken", _("This date is in the future."))
        else:
            c["isotretinoin_last_taken"] = None
        if c.get("recent_illness_or_vaccination") is False:
            c["recent_illness_details"] = ""
        return c


class ConditionsForm(StepForm):
    conditions = forms.MultipleChoiceField(
        label=_("Do you have, or have you had, any of these?"),
        choices=[*Condition.choices, (NONE_OF_THESE, _("None of these"))],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the ones that apply, or “None of these”.")},
    )
    conditions_other = forms.CharField(
        label=_("Any other medical condition the clinician should know about?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )

    def clean_conditions(self) -> list[str]:
        chosen = self.cleaned_data["conditions"]
        if NONE_OF_THESE in chosen:
            if len(chosen) > 1:
                raise forms.ValidationError(
                    _("You ticked “None of these” and a condition. Untick one of them.")
                )
            return []
        return chosen


class PregnancyForm(StepForm):
    pregnancy = forms.ChoiceField(
        label=_("Are you pregnant, breastfeeding or trying to conceive?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose one.")},
        help_text=_(
            "Treatments are usually postponed during pregnancy and breastfeeding, because "
            "their safety has not been studied."
        ),
    )

    def __init__(self, *args: Any, intake: Intake, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = Pregnancy.choices
        if intake.sex_at_birth == SexAtBirth.FEMALE:
            choices = [c for c in choices if c[0] != Pregnancy.NOT_APPLICABLE]
        self.fields["pregnancy"].choices = choices


class SkinForm(StepForm):
    """One question per requested area: what the skin there is like today."""

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        for area in areas:
            self.fields[f"area_{area.pk}"] = forms.MultipleChoiceField(
                label=_("%(area)s: is there any of these today?")
                % {"area": area.translated("name")},
                choices=[*SkinFinding.choices, (CLEAR, _("No, the skin there is clear"))],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Tick what you see, or “the skin there is clear”.")},
            )

    def clean(self) -> dict[str, Any]:
        c = super().clean()
        for area in self.areas:
            chosen = c.get(f"area_{area.pk}")
            if chosen and CLEAR in chosen and len(chosen) > 1:
                self.add_error(
                    f"area_{area.pk}",
                    _("You ticked “clear” and a problem. Untick one of them."),
                )
        return c

    def findings(self) -> dict[int, list[str]]:
        return {
            area.pk: [f for f in self.cleaned_data[f"area_{area.pk}"] if f != CLEAR]
            for area in self.areas
        }


class HistoryForm(StepForm):
    had_previous_treatments = yes_no(
        _("In the last 12 months, have you had injections or other treatments in these areas?"),
        help_text=_("Here or at another clinic: fillers, boosters, mesotherapy, peels, lasers."),
    )


class PreviousTreatmentForm(forms.Form):
    product = CatalogChoiceField(
        options="every_product_option",
        label=_("Product"),
        queryset=Product.objects.select_related("treatment"),
        required=False,
        empty_label=_("Not in this list"),
    )
    description = forms.CharField(
        label=_("Or describe it"),
        max_length=200,
        required=False,
        help_text=_("For example: “lip filler, brand unknown”."),
    )
    area = CatalogChoiceField(
        options="area_options",
        label=_("Area"),
        queryset=Area.objects.all(),
        empty_label=_("Choose an area"),
        error_messages={"required": _("Choose the area.")},
    )
    treated_on = forms.DateField(
        label=_("When (approximately)"),
        widget=DateInput(),
        error_messages={
            "required": _("Give an approximate date."),
            "invalid": _("Enter a real date, like 2026-05-01."),
        },
    )

    def clean(self) -> dict[str, Any]:
        c = super().clean()
        if not c.get("product") and not c.get("description", "").strip():
            self.add_error("description", _("Choose the product or describe the treatment."))
        treated_on = c.get("treated_on")
        if treated_on and treated_on > timezone.localdate():
            self.add_error("treated_on", _("This date is in the future."))
        return c

    def answer(self) -> PreviousAnswer:
        c = self.cleaned_data
        return PreviousAnswer(
            product=c.get("product"),
            description=c.get("description", ""),
            area=c["area"],
            treated_on=c["treated_on"],
        )


class BasePreviousFormSet(RowsFormSet):
    remove_label = _("Remove this treatment")


PreviousFormSet = formset_factory(
    PreviousTreatmentForm, formset=BasePreviousFormSet, extra=0, can_delete=True, max_num=20
)


class ConsentForm(StepForm):
    agree = forms.BooleanField(
        label=_("I have read this consent and I agree to it."),
        error_messages={"required": _("Tick the box to show that you agree.")},
    )
    full_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "name"}),
        error_messages={"required": _("Type your full name to sign.")},
    )
