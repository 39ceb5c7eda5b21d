"""The select and the inputs written in Python (clinic/forms_renderer.py) are Django's, to the
byte."""

import datetime as dt
from pathlib import Path

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from clinic.forms_renderer import INPUTS, ClinicFormRenderer
from consultations.intake.forms import DateInput

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


ODD = {"data-x": '"quoted" & <tagged>', "required": True, "disabled": False, "class": "a b"}
INPUT_WIDGETS = {
    "text": (forms.TextInput(), "Mai"),
    "text, nothing": (forms.TextInput(), None),
    "text, empty": (forms.TextInput(), ""),
    "text, escaping": (forms.TextInput(attrs=ODD), "\"><script>alert(1)</script> & it's"),
    "number": (forms.NumberInput(attrs={"min": 18, "step": "any"}), 42),
    "email": (forms.EmailInput(), "anna@example.com"),
    "url": (forms.URLInput(), "https://example.com/?a=1&b=2"),
    "password": (forms.PasswordInput(), "secret"),
    "password shown": (forms.PasswordInput(render_value=True), "s<e>cret"),
    "hidden": (forms.HiddenInput(), 3),
    "date": (forms.DateInput(), dt.date(2026, 12, 1)),
    "date of the intake": (DateInput({"autocomplete": "bday"}), dt.date(1990, 5, 1)),
    "time": (forms.TimeInput(), dt.time(9, 30)),
    "date and time": (forms.DateTimeInput(), dt.datetime(2026, 12, 1, 9, 30)),
    "checkbox, ticked": (forms.CheckboxInput(), True),
    "checkbox, not": (forms.CheckboxInput(attrs={"class": "form-check-input"}), False),
    "checkbox, a value": (forms.CheckboxInput(), "on"),
    "colour": (forms.TextInput(attrs={"type": "color"}), "#ff0000"),
    "search": (forms.TextInput(attrs={"type": "search", "aria-describedby": "h"}), "x"),
}


@pytest.mark.parametrize("name", [*SELECTS, *INPUT_WIDGETS])
def test_the_python_widget_writes_what_djangos_template_writes(name):
    widget, value = {**SELECTS, **INPUT_WIDGETS}[name]
    django_html = widget.render("field", value, attrs={"id": "id_field"}, renderer=DJANGO)
    ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=OURS)
    assert ours == django_html


def test_every_input_template_it_writes_is_djangos_single_input():
    django_widgets = Path(forms.__file__).parent / "templates"
    for name in INPUTS:
        text = (django_widgets / name).read_text().strip()
        assert text == '{% include "django/forms/widgets/input.html" %}', name


def test_an_input_template_the_project_replaces_is_drawn_by_that_template(tmp_path, settings):
    replaced = tmp_path / "django" / "forms" / "widgets"
    replaced.mkdir(parents=True)
    (replaced / "text.html").write_text('<input class="ours" name="{{ widget.name }}">')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    renderer = ClinicFormRenderer()
    assert forms.TextInput().render("f", "x", renderer=renderer) == '<input class="ours" name="f">'
    # The other inputs are still written here, as Django's template would draw them.
    assert forms.EmailInput().render("f", "x", renderer=renderer) == forms.EmailInput().render(
        "f", "x", renderer=DJANGO
    )


# --- The catalog's selects: options written once per list of names ---------------------------


def _catalog_form():
    from consultations.catalog.forms import CatalogChoiceField
    from consultations.catalog.models import Area, Product

    class Form(forms.Form):
        product = CatalogChoiceField(
            options="product_options",
            queryset=Product.objects.all(),
            required=False,
        )
        area = CatalogChoiceField(options="area_options", queryset=Area.objects.all())
        area_no_empty = CatalogChoiceField(
            options="area_options", queryset=Area.objects.all(), empty_label=None
        )

    return Form


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_catalog_select_writes_what_djangos_template_writes(language):
    from django.utils import translation

    from consultations.catalog.forms import CatalogSelect
    from consultations.catalog.models import Area, Product

    Form = _catalog_form()
    product, area = Product.objects.first(), Area.objects.order_by("-pk").first()
    cases = [
        {},
        {"product": product.pk, "area": area.pk, "area_no_empty": area.pk},
        {"product": "999999", "area": "nonsense"},  # not an option: nothing marked, as Django
        {"area": f"{area.pk}"},
    ]
    with translation.override(language):
        for data in cases:
            form = Form(data or None)
            for name in ("product", "area", "area_no_empty"):
                bound = form[name]
                assert isinstance(bound.field.widget, CatalogSelect)
                value, attrs = bound.value(), {"id": f"id_{name}", "class": "form-select"}
                ours = bound.field.widget.render(name, value, attrs=attrs, renderer=OURS)
                djangos = forms.Select.render(
                    bound.field.widget, name, value, attrs=attrs, renderer=DJANGO
                )
                assert ours == djangos, (data, name)
                assert isinstance(ours, SafeString)
                assert bound.field.widget.render(name, value, attrs, DJANGO) == djangos


@pytest.mark.django_db
def test_a_catalog_select_shows_a_renamed_area_at_once_after_the_names_refresh(time_machine):
    from consultations.catalog.models import Area
    from consultations.catalog.selectors import NAMES_SECONDS

    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    Form = _catalog_form()
    area = Area.objects.first()
    assert area.name in str(Form()["area"])
    Area.objects.filter(pk=area.pk).update(name="Renamed <area>")
    time_machine.shift(NAMES_SECONDS)  # the names' minute is up
    assert "Renamed &lt;area&gt;" in str(Form()["area"])
    assert '<option value="' in Form().render()  # the select is HTML, not text to escape


def test_the_intake_formsets_catalog_selects_write_their_options_once_per_list():
    """Every catalog select of the intake's formsets takes the quick way (its options are not
    turned into a plain list on the way)."""
    from consultations.catalog.forms import CatalogOptions, CatalogSelect
    from consultations.intake import forms as intake_forms

    for formset_class in (intake_forms.RequestFormSet, intake_forms.PreviousFormSet):
        formset = formset_class(prefix="x")
        formset.extra = 2
        for form in [*formset.forms, formset.empty_form]:
            for field in form.fields.values():
                if isinstance(field.widget, CatalogSelect):
                    assert isinstance(field.widget.choices, CatalogOptions)


@pytest.mark.parametrize("name", [n for n in SELECTS if n not in ("multiple", "yes or no")])
def test_a_select_with_kept_options_writes_what_djangos_template_writes(name):
    from clinic.forms_renderer import KeptOptionsSelect

    django_widget, value = SELECTS[name]
    kept = KeptOptionsSelect(choices=django_widget.choices, attrs=django_widget.attrs)
    for language in ("en", "vi"):
        with translation.override(language):
            for chosen in (value, None, "not an option"):
                expected = django_widget.render("f", chosen, attrs={"id": "i"}, renderer=DJANGO)
                assert kept.render("f", chosen, attrs={"id": "i"}, renderer=OURS) == expected
                assert kept.render("f", chosen, attrs={"id": "i"}, renderer=DJANGO) == expected


def test_a_label_already_html_and_the_same_text_as_plain_words_are_kept_apart():
    from django.utils.safestring import mark_safe

    from clinic.forms_renderer import KeptOptionsSelect

    html = [("a", mark_safe("<b>bold</b>"))]
    words = [("a", "<b>bold</b>")]
    for choices in (html, words, html):
        expected = forms.Select(choices=choices).render("f", "a", renderer=DJANGO)
        assert KeptOptionsSelect(choices=choices).render("f", "a", renderer=OURS) == expected


# --- A form of hidden fields alone: a formset's management form ------------------------------


class _Row(forms.Form):
    name = forms.CharField()


@pytest.mark.parametrize(
    ("prefix", "data", "extra"),
    [
        ("form", None, 1),
        ("requests", None, 3),
        ("previous", {"previous-TOTAL_FORMS": "2", "previous-INITIAL_FORMS": "1"}, 1),
        ('"odd"<prefix>', None, 0),
    ],
)
def test_a_management_form_is_written_as_djangos_div_template_writes_it(prefix, data, extra):
    rows = forms.formset_factory(_Row, extra=extra, min_num=1, max_num=5)
    formset = rows(data=data, prefix=prefix)
    management = formset.management_form
    ours = OURS.render(management.template_name, management.get_context())
    assert ours == DJANGO.render(management.template_name, management.get_context())
    assert ours.count('type="hidden"') == 4
    assert str(management) == ours  # the project's forms are drawn by this renderer


def test_a_form_with_visible_fields_or_errors_is_left_to_djangos_template():
    class Hidden(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput)

    for form in (_Row(), _Row(data={}), Hidden(data={})):  # visible; visible with errors; errors
        context = form.get_context()
        assert OURS.render(form.template_name, context) == DJANGO.render(
            form.template_name, context
        )
    assert "This field is required" in str(Hidden(data={}))


@pytest.mark.django_db
def test_a_catalog_selects_options_are_listed_once_per_list_of_names_as_iterating_lists_them():
    """`CatalogOptions.listed` is what iterating the options gives (the general way), in each
    language; made once per list of kept names and made again for new ones."""
    from django.core.cache import cache

    from consultations.catalog.forms import CatalogOptions
    from consultations.catalog.models import Area
    from consultations.catalog.selectors import forget_names
    from consultations.intake import forms as intake_forms

    def general(choices):
        return tuple(("" if v is None else str(v), str(t), False) for v, t in choices)

    for language in ("en", "vi", "en"):
        with translation.override(language):
            for form in (intake_forms.RequestForm(), intake_forms.PreviousTreatmentForm()):
                for field in form.fields.values():
                    if isinstance(getattr(field.widget, "choices", None), CatalogOptions):
                        listed = field.widget.choices.listed()
                        assert listed == general(field.widget.choices)
                        assert field.widget.choices.listed() is listed
    area = intake_forms.RequestForm().fields["area"].widget.choices
    before = area.listed()
    face = Area.objects.get(code="face")
    face.name = "Whole face"
    face.save()
    cache.clear()
    forget_names()
    assert area.listed() != before
    assert (str(face.pk), "Whole face", False) in area.listed()


def test_a_fixed_choice_fields_forms_share_its_choices_and_each_may_still_have_its_own():
    from clinic.forms_renderer import FixedChoiceField, FixedTypedChoiceField

    class Form(forms.Form):
        plain = FixedChoiceField(choices=[("a", gettext_lazy("A")), ("b", "B")])
        typed = FixedTypedChoiceField(choices=[("1", "One")], coerce=int)

    first, second = Form(), Form()
    for name in ("plain", "typed"):
        assert first.fields[name] is not Form.base_fields[name]
        assert first.fields[name].choices is second.fields[name].choices
        assert first.fields[name].widget is not second.fields[name].widget
    first.fields["plain"].choices = [("c", "C")]
    assert [v for v, _ in second.fields["plain"].choices] == ["a", "b"]
    assert [v for v, _ in Form().fields["plain"].choices] == ["a", "b"]
    assert '<option value="c">C</option>' in str(first["plain"])
    assert '<option value="c">' not in str(second["plain"])
    bound = Form({"plain": "b", "typed": "1"})
    assert bound.is_valid()
    assert bound.cleaned_data == {"plain": "b", "typed": 1}


def test_fixed_choices_are_listed_once_per_language_and_drawn_in_it():
    from clinic.forms_renderer import FixedChoiceField, FixedOptions, KeptOptionsSelect
    from consultations.intake.choices import Goal

    class Form(forms.Form):
        goal = FixedChoiceField(
            choices=[("", gettext_lazy("Choose a goal")), *Goal.choices],
            widget=KeptOptionsSelect,
        )

    first, second = Form(), Form()
    choices = first.fields["goal"].widget.choices
    assert isinstance(choices, FixedOptions)
    with translation.override("en"):
        listed = choices.listed()
        assert second.fields["goal"].widget.choices.listed() is listed  # the copies share it
        assert listed[0] == ("", "Choose a goal", False)
        english = str(Form()["goal"])
    with translation.override("vi"):
        vietnamese = choices.listed()
        assert vietnamese != listed
        assert vietnamese[0][1] == str(gettext_lazy("Choose a goal"))
        assert str(Form()["goal"]) != english
    assert [value for value, _label in choices] == [v for v, _ in Form.base_fields["goal"].choices]
    grouped = FixedOptions([("Group", [("a", "A")])])
    assert grouped.listed() is None
