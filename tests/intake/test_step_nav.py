"""The intake's step list, drawn once per state and kept (`step_nav_html`): exactly what its
template draws for the intake itself, in every state, on every step, in both languages."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from consultations.intake import services
from consultations.intake.models import Intake
from consultations.intake.steps import STEPS_BY_CODE, applicable_steps, missing_steps
from consultations.intake.views import _nav, _step_nav_drawn, step_nav_html
from tests.intake.conftest import fill, sign

pytestmark = pytest.mark.django_db


def _by_template(intake: Intake, current: str) -> str:
    steps = applicable_steps(intake)
    context = {
        "nav": _nav(intake, steps),
        "step": STEPS_BY_CODE[current],
        "missing": {s.code for s in missing_steps(intake)},
    }
    return render_to_string("intake/_step_nav.html", context)


def _kept(intake: Intake, current: str) -> str:
    steps = applicable_steps(intake)
    return step_nav_html(intake, steps, current, {s.code for s in missing_steps(intake)})


def _states(intake: Intake):
    yield "new", Intake.objects.get(pk=intake.pk)
    fill(intake)
    yield "answered", Intake.objects.get(pk=intake.pk)
    sign(intake)
    yield "signed", Intake.objects.get(pk=intake.pk)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_kept_step_list_is_the_templates_in_every_state_and_step(patient_a, language):
    _step_nav_drawn.cache_clear()
    draft = services.intake_open_draft(patient=patient_a.patient)
    seen = set()
    with translation.override(language):
        for state, intake in _states(draft):
            for step in applicable_steps(intake):
                expected = _by_template(intake, step.code)
                assert _kept(intake, step.code) == expected, (state, step.code)
                assert _kept(intake, step.code) == expected, (state, step.code, "kept")
                seen.add(expected)
    # The states differ (ticks, the step shown), and the words are the language's.
    assert len(seen) > len(STEPS_BY_CODE)
    marker = "answered" if language == "en" else "đã trả lời"
    assert any(f"> {marker}</span>" in html for html in seen)


def test_two_intakes_in_one_state_share_the_drawing_and_keep_their_own_links(patient_a, patient_b):
    _step_nav_drawn.cache_clear()
    first = services.intake_open_draft(patient=patient_a.patient)
    second = services.intake_open_draft(patient=patient_b.patient)
    drawn = {}
    for intake in (first, second):
        drawn[intake] = _kept(intake, "about")
        assert drawn[intake] == _by_template(intake, "about")
        assert str(intake.public_id) in drawn[intake]
    assert str(first.public_id) not in drawn[second]
    assert (_step_nav_drawn.cache_info().misses, _step_nav_drawn.cache_info().hits) == (1, 1)


def test_a_language_switch_draws_the_list_in_the_new_language(patient_a):
    draft = services.intake_open_draft(patient=patient_a.patient)
    with translation.override("en"):
        english = _kept(draft, "about")
    with translation.override("vi"):
        vietnamese = _kept(draft, "about")
    assert english != vietnamese
    with translation.override("vi"):
        assert vietnamese == _by_template(draft, "about")
