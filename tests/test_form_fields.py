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
from django.core.cache import cache
from django.test.html import parse_html
from django.utils import translation

from consultations.catalog.models import Area, Product, Treatment
from consultations.catalog.selectors import forget_names
from consultations.intake import forms as f
from consultations.patients.templatetags import form_fields
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


# --- Kept drawings -------------------------------------------------------------------------


@pytest.fixture
def kept(monkeypatch):
    """The process's kept drawings, empty for the test."""
    drawn: dict = {}
    monkeypatch.setattr(form_fields, "_drawn", drawn)
    return drawn


def _treatment_row(data=None, *, initial=None, number=0):
    formset = f.RequestFormSet(data, initial=initial, prefix="req")
    if formset.is_bound:
        formset.is_valid()
    return formset.forms[number]


def _initial() -> list[dict[str, Any]]:
    ids = _ids()
    return [{"treatment": ids["treatment"], "area": ids["area"], "goal": "hydration"}]


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_kept_drawing_is_the_fields_own_drawing(kept, language) -> None:
    ids = _ids()
    posted = _rows(
        f.RequestFormSet,
        "req",
        [{"treatment": ids["treatment"], "area": ids["area"], "goal": "hydration", "DELETE": "on"}],
    )
    with translation.override(language):
        for make in (lambda: _treatment_row(initial=_initial()), lambda: _treatment_row(posted)):
            for name in ("treatment", "product", "area", "goal", "DELETE"):
                first = form_fields.field_html(make()[name])
                assert form_fields._drawing_key(make()[name]) in kept, name
                again = form_fields.field_html(make()[name])
                assert again == first == form_fields._draw(make()[name]), name


def _kept_and_fresh(field) -> tuple[str, str]:
    return form_fields.field_html(field), form_fields._draw(field)


def _relabelled(form):
    form.fields["area"].label = "Where"
    return form


def _required(form):
    form.fields["product"].required = True
    form.fields["product"].widget.is_required = True
    return form


def _attrs(form):
    form.fields["area"].widget.attrs["data-x"] = "1"
    return form


def _helped(form):
    form.fields["area"].help_text = "The main one"
    return form


def _disabled(form):
    form.fields["area"].disabled = True
    return form


def _marked(form):
    form.required_css_class = "needed"
    return form


@pytest.mark.parametrize(
    "change",
    [_relabelled, _required, _attrs, _helped, _disabled, _marked],
    ids=lambda c: c.__name__,
)
def test_a_field_changed_on_its_form_is_drawn_with_the_change(kept, change) -> None:
    """Whatever a form does to its field (its label, whether it is required, an attribute...)
    is part of what keeps a drawing: the changed field is never given the unchanged one's."""
    field = "product" if change is _required else "area"
    plain = form_fields.field_html(_treatment_row(initial=_initial())[field])
    kept_html, fresh = _kept_and_fresh(change(_treatment_row(initial=_initial()))[field])
    assert kept_html == fresh
    assert kept_html != plain


def test_another_answer_language_prefix_or_catalog_name_is_another_drawing(kept) -> None:
    ids = _ids()
    face = form_fields.field_html(_treatment_row(initial=_initial())["area"])
    neck = [{**_initial()[0], "area": Area.objects.get(code="neck").pk}]
    assert (
        _kept_and_fresh(_treatment_row(initial=neck)["area"])
        == (form_fields._draw(_treatment_row(initial=neck)["area"]),) * 2
    )
    assert form_fields.field_html(_treatment_row(initial=neck)["area"]) != face
    with translation.override("vi"):
        vi_html, fresh = _kept_and_fresh(_treatment_row(initial=_initial())["area"])
        assert vi_html == fresh != face
    second = _treatment_row(initial=_initial() * 2, number=1)["area"]
    assert 'name="req-1-area"' in form_fields.field_html(second)
    Area.objects.filter(pk=ids["area"]).update(name="Whole face")
    cache.clear()
    forget_names()
    renamed, fresh = _kept_and_fresh(_treatment_row(initial=_initial())["area"])
    assert renamed == fresh
    assert ">Whole face</option>" in renamed


def test_a_field_with_errors_or_a_value_not_offered_is_drawn_and_not_kept(kept) -> None:
    ids = _ids()
    posted = _rows(
        f.RequestFormSet,
        "req",
        [{"treatment": ids["treatment"], "area": "999999", "goal": "wrinkles-and-more"}],
    )
    row = _treatment_row(posted)
    for name in ("area", "goal"):
        assert row[name].errors
        html = form_fields.field_html(row[name])
        assert "is-invalid" in html
        assert form_fields._drawing_key(row[name]) is None
    assert not any(key[6] in {"area", "goal"} for key in kept)
    # Unbound, with a value the select does not offer (an option withdrawn since): not kept.
    gone = [{**_initial()[0], "area": 999999}]
    assert form_fields._drawing_key(_treatment_row(initial=gone)["area"]) is None


class Ticks(forms.Form):
    tick = forms.BooleanField(required=False)


def test_a_checkbox_is_kept_for_the_values_a_browser_sends_and_never_mixes_them(kept) -> None:
    drawings = {}
    for value in (True, 1, "on", None):
        form = Ticks(initial={"tick": value})
        drawings[repr(value)] = form_fields.field_html(form["tick"])
        assert drawings[repr(value)] == form_fields._draw(Ticks(initial={"tick": value})["tick"])
    assert 'value="1"' in drawings["1"]
    assert "value=" not in drawings["True"]
    # Sent, a checkbox's value is what its widget reads of it (ticked or not), never the text.
    sent = form_fields.field_html(Ticks({"tick": "yes please"})["tick"])
    assert sent == form_fields._draw(Ticks({"tick": "yes please"})["tick"])
    assert "yes please" not in sent
    assert "checked" in sent


def test_the_kept_drawings_are_bounded(kept, monkeypatch) -> None:
    monkeypatch.setattr(form_fields, "_DRAWN_MAX", 3)
    areas = list(Area.objects.values_list("pk", flat=True)[:6])
    for pk in areas:
        form_fields.field_html(_treatment_row(initial=[{**_initial()[0], "area": pk}])["area"])
    assert len(kept) == 3
    assert [key[-2] for key in kept] == areas[-3:]  # the newest kept, the oldest let go
