"""`{{ form|fields }}` draws what `{{ form|crispy }}` draws (consultations/patients/templatetags).

Compared as HTML (Django's assertHTMLEqual: the same elements, attributes and text, whatever
the whitespace) on every form of the intake, empty, answered and with errors, in English and
in Vietnamese, and on a form made to hold every kind of field the renderer writes itself.
"""

from collections.abc import Callable
from typing import Any

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.test.html import parse_html
from django.utils import translation

from consultations.catalog.models import Area, Product, Treatment
from consultations.intake import forms as f
from consultations.patients.templatetags.form_fields import PLAIN, _plain, form_html

pytestmark = pytest.mark.django_db


def same(make: Callable[[], forms.BaseForm]) -> None:
    """A fresh form for each (crispy changes the widgets' classes as it draws them)."""
    ours, crispy = form_html(make()), as_crispy_form(make())
    assert parse_html(ours) == parse_html(crispy), f"\nours:   {ours}\ncrispy: {crispy}"


class EveryKind(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your <b>ID</b>", max_length=20)
    email = forms.EmailField(label="Email", required=False)
    age = forms.IntegerField(label="Age", min_value=18)
    born = forms.DateField(label="Born", widget=f.DateInput())
    notes = forms.CharField(label="Notes", widget=forms.Textarea({"rows": 2}), required=False)
    secret = forms.CharField(label="Secret", widget=forms.PasswordInput)
    colour = forms.ChoiceField(label="Colour", choices=[("", "Pick"), ("red", "Red & <b>")])
    styled = forms.ChoiceField(
        label="Styled",
        choices=[("a", "A")],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    agree = forms.BooleanField(label="I agree", help_text="Needed")
    news = forms.BooleanField(label="News", required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("x", "X")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        label="Many", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(label="", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("name") == "clash":
            raise forms.ValidationError(["Two things disagree.", "And a <second>."])
        return cleaned


class Marked(EveryKind):
    required_css_class = "required"
    error_css_class = "has-error"


BAD = {"name": "clash", "email": "not-an-email", "age": "3", "born": "31/02", "colour": "blue"}
GOOD = {
    "name": "Mai",
    "age": "30",
    "born": "1990-05-01",
    "secret": "x",
    "colour": "red",
    "styled": "a",
    "agree": "on",
    "kind": "x",
    "many": ["x"],
}


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("form_class", [EveryKind, Marked])
@pytest.mark.parametrize("data", [None, {}, BAD, GOOD], ids=["unbound", "empty", "bad", "good"])
def test_every_kind_of_field_is_drawn_as_crispy_draws_it(form_class, data, language) -> None:
    with translation.override(language):
        same(lambda: form_class(data))


def test_the_renderer_writes_the_plain_fields_itself_and_no_other() -> None:
    form = EveryKind()
    mine = {name for name in form.fields if _plain(form[name])}
    assert mine == {"name", "email", "age", "born", "notes", "secret", "colour", "styled"} | {
        "agree",
        "news",
        "unlabelled",
    }
    assert forms.RadioSelect not in PLAIN


def _ids() -> dict[str, int]:
    return {
        "treatment": Treatment.objects.get(code="mesotherapy").pk,
        "product": Product.objects.get(code="skinvive").pk,  # not a mesotherapy product
        "area": Area.objects.get(code="face").pk,
    }


def _rows(formset_class, prefix: str, rows: list[dict[str, Any]]):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for number, row in enumerate(rows):
        data.update({f"{prefix}-{number}-{k}": v for k, v in row.items()})
    return data


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_treatment_rows_are_drawn_as_crispy_draws_them(language) -> None:
    ids = _ids()
    posted = _rows(
        f.RequestFormSet,
        "req",
        [
            {"treatment": ids["treatment"], "product": ids["product"], "area": ids["area"]},
            {"treatment": "", "product": "", "area": "", "goal": "", "DELETE": "on"},
            {"treatment": ids["treatment"], "area": ids["area"], "goal": "hydration"},
        ],
    )
    initial = [{"treatment": ids["treatment"], "area": ids["area"], "goal": "hydration"}]
    with translation.override(language):
        for make in (
            lambda: f.RequestFormSet(None, initial=initial, prefix="req"),
            lambda: f.RequestFormSet(posted, prefix="req"),
        ):
            for number in range(len(make().forms)):

                def row(number=number, make=make):
                    formset = make()
                    formset.is_valid()
                    return formset.forms[number]

                same(row)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_previous_treatment_rows_are_drawn_as_crispy_draws_them(language) -> None:
    ids = _ids()
    posted = _rows(
        f.PreviousFormSet,
        "prev",
        [
            {"product": ids["product"], "area": ids["area"], "treated_on": "2030-01-01"},
            {"product": "", "description": "x" * 500, "area": "", "treated_on": "soon"},
        ],
    )
    with translation.override(language):
        for number in range(2):

            def row(number=number):
                formset = f.PreviousFormSet(posted, prefix="prev")
                formset.is_valid()
                return formset.forms[number]

            same(row)
        same(lambda: f.PreviousFormSet(None, prefix="prev").empty_form)


@pytest.mark.parametrize(
    "make",
    [
        lambda data: f.AboutForm(data),
        lambda data: f.AllergiesForm(data),
        lambda data: f.MedicinesForm(data),
        lambda data: f.ConditionsForm(data),
        lambda data: f.HistoryForm(data),
        lambda data: f.ConsentForm(data),
        lambda data: f.SkinForm(data, areas=list(Area.objects.filter(code__in=["face", "neck"]))),
    ],
    ids=["about", "allergies", "medicines", "conditions", "history", "consent", "skin"],
)
@pytest.mark.parametrize("data", [None, {}, {"phone": "abc", "full_name": "x" * 300}])
def test_every_intake_step_form_is_drawn_as_crispy_draws_it(make, data) -> None:
    def bound():
        form = make(data)
        if form.is_bound:
            form.is_valid()
        return form

    same(bound)
