"""The select written in Python (clinic/forms_renderer.py) is Django's select, to the byte."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from clinic.forms_renderer import ClinicFormRenderer

DJANGO = DjangoTemplates()  # Django's own widget templates, untouched by the project's
OURS = ClinicFormRenderer()


SELECTS = {
    "plain": (forms.Select(choices=[("a", "Apple"), ("b", "Banana")]), "b"),
    "nothing chosen": (forms.Select(choices=[("", "---------"), (1, "One")]), None),
    "numbers": (forms.Select(choices=[(1, "One"), (2, "Two"), (1000, 1000)]), 2),
    "escaping": (
        forms.Select(
            choices=[('"><script>', "<b>Fish & chips</b>"), ("it's", 'L\'été "chaud"')],
            attrs={"data-x": '"quoted" & <tagged>', "class": "form-select"},
        ),
        "it's",
    ),
    "groups": (
        forms.Select(
            choices=[
                ("", "Choose"),
                ("Face", [("cheeks", "Cheeks"), ("lips", "Lips")]),
                ("Body <b>", [("abdomen", "Abdomen")]),
            ]
        ),
        "lips",
    ),
    "attributes": (
        forms.Select(
            choices=[("x", "X")],
            attrs={"required": True, "disabled": False, "aria-describedby": "help-x", "id": "s"},
        ),
        "x",
    ),
    "multiple": (forms.SelectMultiple(choices=[(1, "One"), (2, "Two"), (3, "Three")]), [1, 3]),
    "translated": (
        forms.Select(
            choices=[("block", gettext_lazy("block")), ("review", gettext_lazy("review"))]
        ),
        "review",
    ),
    "yes or no": (forms.NullBooleanSelect(), True),
    "empty": (forms.Select(choices=[]), None),
}


@pytest.mark.parametrize("name", SELECTS)
def test_the_python_select_writes_what_djangos_template_writes(name):
    widget, value = SELECTS[name]
    django_html = widget.render("field", value, attrs={"id": "id_field"}, renderer=DJANGO)
    ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=OURS)
    assert ours == django_html


def test_a_select_whose_options_have_a_template_of_their_own_is_left_to_the_templates():
    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Starred(choices=[("a", "Apple")])
    assert widget.render("f", "a", renderer=OURS) == widget.render("f", "a", renderer=DJANGO)


def test_the_project_renders_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), ClinicFormRenderer)
    form = forms.Form()
    assert isinstance(form.renderer, ClinicFormRenderer)
