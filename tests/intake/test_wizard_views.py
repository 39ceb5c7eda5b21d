"""The patient's journey through the intake wizard, over HTTP, as a browser drives it."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.intake.choices import Pregnancy
from consultations.intake.models import ConsentText, Intake
from consultations.patients.models import User
from tests.conftest import HttpsClient
from tests.intake.helpers import (
    FULL_NAME,
    PHONE,
    PHONE_SHOWN,
    PHONE_STORED,
    answer_step,
    area,
    complete_intake,
    detail_url,
    fingerprint_of,
    form_values,
    history_data,
    post_step,
    previous_row,
    problems_on,
    request_row,
    review_url,
    save_step,
    skin_data,
    skinvive,
    start_intake,
    step_url,
    submit_url,
    treatment,
    treatments_data,
    valid_answers,
)

ABOUT_MALE = {"date_of_birth": "1985-02-11", "sex_at_birth": "male", "phone": PHONE}
RESTORED_NOTICE = "You left this page with answers that still needed fixing"
STALE_WARNING = "changed in another tab or on another device"
ADULTS_ONLY = "We are sorry: the clinic treats adults only."
SUBMIT_BUTTON = "Send my answers to the clinic"


@pytest.fixture
def anna(client: Client, patient_a: User) -> Client:
    """Patient A's browser, logged in."""
    client.force_login(patient_a)
    return client


@pytest.fixture
def draft(anna: Client) -> Intake:
    intake, _ = start_intake(anna)
    return intake


def another_device(user: User) -> Client:
    device = HttpsClient()
    device.force_login(user)
    return device


def lips_row(**extra: str) -> dict:
    return request_row("dermal_filler", "restylane-kysse", "lips", "volume", **extra)


def chin_row() -> dict:
    return request_row("dermal_filler", "juvederm-voluma-xc", "chin", "volume")


def answer_until(client: Client, intake: Intake, *steps: str) -> None:
    for step in steps:
        save_step(client, intake, step, valid_answers(step))


def names_of_fields(response, prefix: str) -> set[str]:
    return set(re.findall(rf'name="({prefix}[^"]*)"', response.content.decode()))


# The journey


def test_registering_then_starting_opens_a_draft_at_the_treatments_step(
    client: Client, db: None
) -> None:
    registered = client.post(
        reverse("patients:register"),
        {
            "full_name": "Chi Vo",
            "email": "chi@example.com",
            "password1": "a-long-test-passphrase-2026",
            "password2": "a-long-test-passphrase-2026",
        },
    )
    assert registered.status_code == 302
    assert registered.url == reverse("intake:home")
    assert "Start my intake" in client.get(reverse("intake:home")).content.decode()

    started = client.post(reverse("intake:start"))

    draft = Intake.objects.get(patient__user__email="chi@example.com")
    assert (draft.version, draft.status) == (1, Intake.Status.DRAFT)
    assert started.status_code == 302
    assert started.url == step_url(draft, "treatments")


def test_each_step_saves_and_redirects_to_the_next(anna: Client, draft: Intake) -> None:
    expected_next = [
        ("treatments", step_url(draft, "about")),
        ("about", step_url(draft, "allergies")),
        ("allergies", step_url(draft, "medicines")),
        ("medicines", step_url(draft, "conditions")),
        ("conditions", step_url(draft, "pregnancy")),
        ("pregnancy", step_url(draft, "skin")),
        ("skin", step_url(draft, "history")),
        ("history", step_url(draft, "consent")),
        ("consent", review_url(draft)),
    ]
    for step, target in expected_next:
        response = answer_step(anna, draft, step, valid_answers(step))
        assert (step, response.status_code, response.url) == (step, 302, target)

    draft.refresh_from_db()
    request = draft.requests.get()
    assert (request.product, request.area, request.goal) == (
        skinvive(),
        area("cheeks"),
        "hydration",
    )
    assert (draft.date_of_birth, draft.sex_at_birth, draft.phone) == (
        dt.date(1990, 4, 1),
        "female",
        PHONE_STORED,
    )
    assert (draft.has_allergies, draft.anaphylaxis_history) == (False, False)
    assert (draft.takes_medications, draft.isotretinoin) == (False, "never")
    assert draft.conditions == []
    assert draft.pregnancy == Pregnancy.NO
    assert [(c.area, c.findings) for c in draft.skin_checks.all()] == [(area("cheeks"), [])]
    assert draft.had_previous_treatments is False
    assert draft.consent_signature.full_name == FULL_NAME
    assert draft.is_draft


def test_leaving_half_way_and_logging_in_on_another_device_resumes_at_the_first_unanswered_step(
    anna: Client, draft: Intake, patient_a: User, password: str
) -> None:
    answer_until(anna, draft, "treatments", "about")
    left = answer_step(anna, draft, "allergies", valid_answers("allergies"), action="exit")
    assert left.url == reverse("intake:home")

    phone = HttpsClient()
    logged_in = phone.post(
        reverse("patients:login"), {"username": "anna@example.com", "password": password}
    )
    assert logged_in.status_code == 302
    home = phone.get(reverse("intake:home")).content.decode()

    assert f'href="{step_url(draft, "medicines")}">Continue</a>' in home
    assert "3 of 9 parts answered" in home
    resumed = phone.post(reverse("intake:start"))
    assert resumed.url == step_url(draft, "medicines")
    assert Intake.objects.filter(patient__user=patient_a).count() == 1


def test_the_back_button_shows_the_saved_answers(anna: Client, draft: Intake) -> None:
    answer_until(anna, draft, "treatments", "about")
    save_step(
        anna,
        draft,
        "allergies",
        {
            "has_allergies": "yes",
            "common_allergies": ["lidocaine", "latex"],
            "allergies_other": "Sticking plasters",
            "allergy_reaction": "mild",
            "multiple_severe_allergies": "no",
            "anaphylaxis_history": "no",
        },
    )

    treatments = form_values(anna.get(step_url(draft, "treatments")))
    about = form_values(anna.get(step_url(draft, "about")))
    allergies = form_values(anna.get(step_url(draft, "allergies")))

    assert treatments["req-TOTAL_FORMS"] == ["1"]
    assert treatments["req-0-treatment"] == [str(treatment("skin_booster").pk)]
    assert treatments["req-0-product"] == [str(skinvive().pk)]
    assert treatments["req-0-area"] == [str(area("cheeks").pk)]
    assert treatments["req-0-goal"] == ["hydration"]
    assert about["date_of_birth"] == ["1990-04-01"]
    assert about["sex_at_birth"] == ["female"]
    assert about["phone"] == [PHONE_SHOWN]
    assert allergies["has_allergies"] == ["yes"]
    assert allergies["common_allergies"] == ["lidocaine", "latex"]
    assert allergies["allergies_other"] == ["Sticking plasters"]
    assert allergies["allergy_reaction"] == ["mild"]
    assert allergies["multiple_severe_allergies"] == ["no"]
    assert allergies["anaphylaxis_history"] == ["no"]


# What the patient typed is never lost


def test_a_validation_error_keeps_every_typed_value_even_after_the_tab_is_closed(
    anna: Client, draft: Intake, patient_a: User
) -> None:
    answer_until(anna, draft, "treatments")
    typed = {"date_of_birth": "1991-07-30", "sex_at_birth": "intersex", "phone": "call me maybe"}

    response = answer_step(anna, draft, "about", typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert "This does not look like a phone number we can call." in html
    assert "for example 0912 345 678" in html
    values = form_values(response)
    assert values["date_of_birth"] == ["1991-07-30"]
    assert values["sex_at_birth"] == ["intersex"]
    assert values["phone"] == ["call me maybe"]
    draft.refresh_from_db()
    assert (draft.date_of_birth, draft.sex_at_birth, draft.phone) == (None, "", "")

    reopened = another_device(patient_a).get(step_url(draft, "about"))

    assert reopened.status_code == 200
    assert RESTORED_NOTICE in reopened.content.decode()
    assert "This does not look like a phone number we can call." in reopened.content.decode()
    values = form_values(reopened)
    assert values["date_of_birth"] == ["1991-07-30"]
    assert values["sex_at_birth"] == ["intersex"]
    assert values["phone"] == ["call me maybe"]


def test_a_treatments_error_keeps_every_row_and_is_restored_on_return(
    anna: Client, draft: Intake
) -> None:
    wrong_product = request_row("dermal_filler", "skinvive", "cheeks", "volume")
    data = treatments_data(request_row(), wrong_product)

    response = answer_step(anna, draft, "treatments", data)

    assert response.status_code == 200
    assert "SKINVIVE by JUVÉDERM is not a dermal filler product." in response.content.decode()
    assert not draft.requests.exists()
    for page in (response, anna.get(step_url(draft, "treatments"))):
        values = form_values(page)
        assert values["req-TOTAL_FORMS"] == ["2"]
        assert values["req-1-treatment"] == [str(treatment("dermal_filler").pk)]
        assert values["req-1-product"] == [str(skinvive().pk)]
        assert values["req-1-goal"] == ["volume"]
        assert values["req-0-product"] == [str(skinvive().pk)]
    assert RESTORED_NOTICE in anna.get(step_url(draft, "treatments")).content.decode()


def test_fixing_a_restored_page_saves_it_and_forgets_the_kept_input(
    anna: Client, draft: Intake
) -> None:
    answer_until(anna, draft, "treatments")
    kept = answer_step(anna, draft, "about", {**valid_answers("about"), "phone": "call me maybe"})
    assert kept.status_code == 200
    assert RESTORED_NOTICE in anna.get(step_url(draft, "about")).content.decode()

    fixed = answer_step(anna, draft, "about", valid_answers("about"))

    assert fixed.url == step_url(draft, "allergies")
    draft.refresh_from_db()
    assert draft.phone == PHONE_STORED
    assert draft.pending_input == {}
    assert RESTORED_NOTICE not in anna.get(step_url(draft, "about")).content.decode()


@time_machine.travel(dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC), tick=False)
def test_an_under_18_date_of_birth_gets_the_adults_only_message_and_is_not_saved(
    anna: Client, draft: Intake
) -> None:
    answer_until(anna, draft, "treatments")
    one_day_short = {**valid_answers("about"), "date_of_birth": "2008-06-16"}

    refused = answer_step(anna, draft, "about", one_day_short)

    assert refused.status_code == 200
    assert ADULTS_ONLY in refused.content.decode()
    assert form_values(refused)["date_of_birth"] == ["2008-06-16"]
    draft.refresh_from_db()
    assert draft.date_of_birth is None

    eighteen_today = answer_step(
        anna, draft, "about", {**valid_answers("about"), "date_of_birth": "2008-06-15"}
    )
    assert eighteen_today.status_code == 302
    draft.refresh_from_db()
    assert draft.date_of_birth == dt.date(2008, 6, 15)


# Which questions are asked


def test_the_pregnancy_step_is_skipped_for_patients_born_male(anna: Client, draft: Intake) -> None:
    answer_until(anna, draft, "treatments")
    assert answer_step(anna, draft, "about", ABOUT_MALE).url == step_url(draft, "allergies")
    answer_until(anna, draft, "allergies", "medicines")

    after_conditions = answer_step(anna, draft, "conditions", valid_answers("conditions"))

    assert after_conditions.url == step_url(draft, "skin")
    draft.refresh_from_db()
    assert draft.pregnancy == Pregnancy.NOT_APPLICABLE
    skin_page = anna.get(step_url(draft, "skin")).content.decode()
    assert step_url(draft, "pregnancy") not in skin_page
    assert "Step 6 of 9" in skin_page


def test_opening_the_pregnancy_step_as_a_patient_born_male_moves_on_to_the_next_step(
    anna: Client, draft: Intake
) -> None:
    answer_until(anna, draft, "treatments")
    save_step(anna, draft, "about", ABOUT_MALE)

    response = anna.get(step_url(draft, "pregnancy"))

    assert response.status_code == 302
    assert response.url == step_url(draft, "skin")


def test_the_pregnancy_step_is_asked_of_patients_born_female(anna: Client, draft: Intake) -> None:
    answer_until(anna, draft, "treatments", "about", "allergies", "medicines")

    after_conditions = answer_step(anna, draft, "conditions", valid_answers("conditions"))

    assert after_conditions.url == step_url(draft, "pregnancy")
    page = anna.get(step_url(draft, "pregnancy")).content.decode()
    assert "Are you pregnant, breastfeeding or trying to conceive?" in page
    assert "I am breastfeeding" in page
    assert "Does not apply to me" not in page


def test_changing_sex_at_birth_from_male_to_female_asks_the_pregnancy_question_again(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft, about=ABOUT_MALE, sign=False)

    save_step(anna, draft, "about", valid_answers("about"))

    draft.refresh_from_db()
    assert draft.pregnancy == ""
    assert anna.post(reverse("intake:start")).url == step_url(draft, "pregnancy")


def test_the_skin_step_asks_only_about_the_requested_areas(anna: Client, draft: Intake) -> None:
    save_step(anna, draft, "treatments", treatments_data(request_row(), lips_row()))
    cheeks, lips = area("cheeks"), area("lips")

    page = anna.get(step_url(draft, "skin"))

    html = page.content.decode()
    assert names_of_fields(page, "area_") == {f"area_{cheeks.pk}", f"area_{lips.pk}"}
    assert "Cheeks: is there any of these today?" in html
    assert "Lips: is there any of these today?" in html
    assert "Forehead:" not in html


def test_dropping_a_treatment_area_drops_its_skin_answer(anna: Client, draft: Intake) -> None:
    save_step(anna, draft, "treatments", treatments_data(request_row(), lips_row()))
    save_step(anna, draft, "skin", skin_data(cheeks=["clear"], lips=["active_cold_sore"]))

    save_step(anna, draft, "treatments", treatments_data(request_row(), lips_row(DELETE="on")))

    assert [c.area for c in draft.skin_checks.all()] == [area("cheeks")]
    page = anna.get(step_url(draft, "skin"))
    assert names_of_fields(page, "area_") == {f"area_{area('cheeks').pk}"}


def test_the_skin_step_sends_a_patient_without_treatments_to_choose_them_first(
    anna: Client, draft: Intake
) -> None:
    response = anna.get(step_url(draft, "skin"), follow=True)

    assert response.redirect_chain[0] == (step_url(draft, "treatments"), 302)
    assert "First tell us which treatments and areas you are interested in." in (
        response.content.decode()
    )


def test_answering_yes_to_previous_treatments_without_naming_one_is_refused(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft, sign=False)

    refused = answer_step(anna, draft, "history", history_data("yes"))

    assert refused.status_code == 200
    assert "Tell us at least one treatment, or answer that you had none." in (
        refused.content.decode()
    )
    assert form_values(refused)["had_previous_treatments"] == ["yes"]
    draft.refresh_from_db()
    assert draft.had_previous_treatments is False


# Rows of the treatments formset


def test_add_saves_the_treatments_and_shows_a_second_blank_row(anna: Client, draft: Intake) -> None:
    added = answer_step(anna, draft, "treatments", treatments_data(), action="add")

    assert added.url == step_url(draft, "treatments") + "?add=1"
    assert draft.requests.count() == 1
    values = form_values(anna.get(added.url))
    assert values["req-TOTAL_FORMS"] == ["2"]
    assert values["req-0-product"] == [str(skinvive().pk)]
    assert (values["req-1-treatment"], values["req-1-area"], values["req-1-goal"]) == (
        [""],
        [""],
        [""],
    )


def test_a_treatment_row_is_removed_with_its_delete_box(anna: Client, draft: Intake) -> None:
    save_step(anna, draft, "treatments", treatments_data(request_row(), lips_row()))
    assert draft.requests.count() == 2

    removed = answer_step(
        anna,
        draft,
        "treatments",
        treatments_data(request_row(), lips_row(DELETE="on")),
    )

    assert removed.url == step_url(draft, "about")
    assert [(r.product, r.area) for r in draft.requests.all()] == [(skinvive(), area("cheeks"))]


def test_removing_every_treatment_row_is_refused(anna: Client, draft: Intake) -> None:
    save_step(anna, draft, "treatments", treatments_data())

    refused = answer_step(anna, draft, "treatments", treatments_data(request_row(DELETE="on")))

    assert refused.status_code == 200
    assert "Choose at least one treatment and area." in refused.content.decode()
    assert draft.requests.count() == 1


# Checking, signing, submitting


def test_the_check_page_lists_missing_steps_and_hides_submit_until_complete(
    anna: Client, draft: Intake
) -> None:
    answer_until(anna, draft, "treatments", "about")

    incomplete = anna.get(review_url(draft)).content.decode()

    assert "Please finish these parts before sending:" in incomplete
    for step in ("allergies", "medicines", "conditions", "pregnancy", "skin", "history"):
        assert f'<li><a href="{step_url(draft, step)}">' in incomplete
    assert f'<li><a href="{step_url(draft, "consent")}">Consent</a></li>' in incomplete
    assert f'<li><a href="{step_url(draft, "about")}">' not in incomplete
    assert SUBMIT_BUTTON not in incomplete

    complete_intake(anna, draft)
    complete = anna.get(review_url(draft)).content.decode()

    assert "Please finish these parts before sending:" not in complete
    assert SUBMIT_BUTTON in complete
    assert f'action="{submit_url(draft)}"' in complete


def test_signing_before_answering_everything_is_refused_with_what_is_missing(
    anna: Client, draft: Intake
) -> None:
    answer_until(anna, draft, "treatments", "about")
    page = anna.get(step_url(draft, "consent")).content.decode()
    assert "Before you sign, please answer:" in page
    assert f'<li><a href="{step_url(draft, "allergies")}">Allergies</a></li>' in page

    refused = answer_step(anna, draft, "consent", valid_answers("consent"))

    assert refused.status_code == 200
    assert (
        "Please answer these steps before signing: Allergies, Medicines, Health conditions, "
        "Pregnancy, Your skin today, Previous treatments."
    ) in refused.content.decode()
    draft.refresh_from_db()
    assert draft.consent_signature is None


def test_the_signature_records_the_connecting_address_not_a_forwarded_for_header(
    anna: Client, draft: Intake, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy in front: X-Forwarded-For is the client's say
    complete_intake(anna, draft, sign=False)
    page = anna.get(step_url(draft, "consent"))

    signed = anna.post(
        step_url(draft, "consent"),
        {**valid_answers("consent"), "fingerprint": fingerprint_of(page), "action": "next"},
        HTTP_X_FORWARDED_FOR="203.0.113.66",
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Phone browser 1.0",
    )

    assert signed.url == review_url(draft)
    draft.refresh_from_db()
    signature = draft.consent_signature
    assert (signature.full_name, signature.ip_address, signature.user_agent) == (
        FULL_NAME,
        "198.51.100.7",
        "Phone browser 1.0",
    )
    assert signature.consent_text == ConsentText.objects.get(language="en")


def test_a_consent_published_after_signing_must_be_signed_again_before_sending(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft)
    signed_text = draft.consent_signature.consent_text
    ConsentText.objects.create(
        version="2027-01-v2",
        language="en",
        title="Consent, revised",
        body="New terms.",
        published_at=signed_text.published_at + dt.timedelta(days=1),
    )

    refused = anna.post(submit_url(draft), follow=True)

    assert refused.redirect_chain == [(review_url(draft), 302)]
    assert "The consent text has been updated. Please read it and sign again." in (
        refused.content.decode()
    )
    assert "New terms." in anna.get(step_url(draft, "consent")).content.decode()
    save_step(anna, draft, "consent", valid_answers("consent"))
    assert anna.post(submit_url(draft)).url == detail_url(draft)
    draft.refresh_from_db()
    assert draft.consent_signature.consent_text.version == "2027-01-v2"


def test_submitting_an_incomplete_intake_returns_to_the_check_page(
    anna: Client, draft: Intake
) -> None:
    answer_until(anna, draft, "treatments")

    response = anna.post(submit_url(draft), follow=True)

    assert response.redirect_chain == [(review_url(draft), 302)]
    assert "Some answers are missing: About you, Allergies" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_submitting_twice_creates_one_submission(
    anna: Client, draft: Intake, patient_a: User
) -> None:
    complete_intake(anna, draft)

    first = anna.post(submit_url(draft))
    draft.refresh_from_db()
    submitted_at = draft.submitted_at
    second = anna.post(submit_url(draft))

    assert (first.status_code, first.url) == (302, detail_url(draft))
    assert (second.status_code, second.url) == (302, detail_url(draft))
    assert list(Intake.objects.filter(patient__user=patient_a)) == [draft]
    draft.refresh_from_db()
    assert draft.is_submitted
    assert draft.submitted_at == submitted_at
    assert "Your answers, version 1" in anna.get(detail_url(draft)).content.decode()


def test_a_submitted_intake_cannot_be_changed_through_its_step_urls(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft)
    anna.post(submit_url(draft))

    for step in ("treatments", "about", "allergies", "skin", "history", "consent"):
        opened = anna.get(step_url(draft, step))
        assert (step, opened.status_code, opened.url) == (step, 302, detail_url(draft))
    changed = anna.post(
        step_url(draft, "about"),
        {**valid_answers("about"), "phone": "+84 99 999 9999", "action": "next"},
        follow=True,
    )

    assert changed.redirect_chain == [(detail_url(draft), 302)]
    assert "This version was submitted and cannot be changed." in changed.content.decode()
    assert anna.get(review_url(draft)).url == detail_url(draft)
    draft.refresh_from_db()
    assert draft.phone == PHONE_STORED
    assert draft.pending_input == {}


def test_update_my_answers_opens_version_2_prefilled_except_the_skin(
    anna: Client, draft: Intake
) -> None:
    complete_intake(
        anna,
        draft,
        history=history_data("yes", [previous_row(description="Lip filler, brand unknown")]),
    )
    anna.post(submit_url(draft))
    version_1 = draft

    started = anna.post(reverse("intake:start"))

    version_2 = Intake.objects.drafts().get(patient=version_1.patient)
    assert (version_2.version, version_2.previous) == (2, version_1)
    assert started.url == step_url(version_2, "skin")
    about = form_values(anna.get(step_url(version_2, "about")))
    assert (about["date_of_birth"], about["phone"]) == (["1990-04-01"], [PHONE_SHOWN])
    treatments = form_values(anna.get(step_url(version_2, "treatments")))
    assert treatments["req-0-product"] == [str(skinvive().pk)]
    history = form_values(anna.get(step_url(version_2, "history")))
    assert history["prev-0-description"] == ["Lip filler, brand unknown"]
    skin = form_values(anna.get(step_url(version_2, "skin")))
    assert not [name for name in skin if name.startswith("area_")]
    assert version_2.consent_signature is None

    new_about = {**valid_answers("about"), "phone": "+84 91 000 0000"}
    home = anna.get(reverse("intake:home")).content.decode()
    assert "Your changes (not sent yet)" in home
    assert f'<a href="{detail_url(version_1)}">Version 1</a>' in home
    complete_intake(anna, version_2, about=new_about)
    anna.post(submit_url(version_2))

    version_1.refresh_from_db()
    assert version_1.phone == PHONE_STORED
    assert [c.findings for c in version_1.skin_checks.all()] == [[]]
    earlier = anna.get(detail_url(version_1)).content.decode()
    assert "Your answers, version 1" in earlier
    assert "This is an earlier version." in earlier
    assert PHONE_SHOWN in earlier
    assert "0910 000 000" in anna.get(detail_url(version_2)).content.decode()


def test_changing_an_answer_after_signing_voids_the_signature(anna: Client, draft: Intake) -> None:
    complete_intake(anna, draft)
    assert draft.consent_signature is not None

    save_step(anna, draft, "about", {**valid_answers("about"), "phone": "+84 91 000 0000"})

    draft.refresh_from_db()
    assert draft.consent_signature is None
    review = anna.get(review_url(draft)).content.decode()
    assert f'<li><a href="{step_url(draft, "consent")}">Consent</a></li>' in review
    assert SUBMIT_BUTTON not in review
    assert "Signed by" not in anna.get(step_url(draft, "consent")).content.decode()
    refused = anna.post(submit_url(draft), follow=True)
    assert "Some answers are missing: Consent" in refused.content.decode()

    save_step(anna, draft, "consent", valid_answers("consent"))
    assert anna.post(submit_url(draft)).url == detail_url(draft)


def test_saving_unchanged_answers_after_signing_keeps_the_signature(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft)
    signature = draft.consent_signature

    save_step(anna, draft, "about", valid_answers("about"))
    save_step(anna, draft, "treatments", treatments_data())

    draft.refresh_from_db()
    assert draft.consent_signature == signature


# Two tabs, two devices, double clicks


def test_answers_changed_on_another_device_are_not_overwritten_without_a_warning(
    anna: Client, draft: Intake, patient_a: User
) -> None:
    answer_until(anna, draft, "treatments")
    opened_here = anna.get(step_url(draft, "about"))
    phone = another_device(patient_a)
    save_step(phone, draft, "about", {**valid_answers("about"), "phone": "+84 91 111 1111"})
    typed_here = {"date_of_birth": "1990-04-01", "sex_at_birth": "male", "phone": "092 222 2222"}

    conflict = post_step(anna, draft, "about", typed_here, page=opened_here)

    assert conflict.status_code == 200
    assert STALE_WARNING in conflict.content.decode()
    values = form_values(conflict)
    assert (values["sex_at_birth"], values["phone"]) == (["male"], ["092 222 2222"])
    draft.refresh_from_db()
    assert (draft.sex_at_birth, draft.phone) == ("female", "+84911111111")

    saved = post_step(anna, draft, "about", typed_here, page=conflict)

    assert saved.url == step_url(draft, "allergies")
    draft.refresh_from_db()
    assert (draft.sex_at_birth, draft.phone) == ("male", "+84922222222")


def test_treatments_changed_in_another_tab_are_not_overwritten_without_a_warning(
    anna: Client, draft: Intake, patient_a: User
) -> None:
    save_step(anna, draft, "treatments", treatments_data())
    opened_here = anna.get(step_url(draft, "treatments"))
    save_step(another_device(patient_a), draft, "treatments", treatments_data(lips_row()))

    conflict = post_step(
        anna,
        draft,
        "treatments",
        treatments_data(request_row(goal="texture")),
        page=opened_here,
    )

    assert conflict.status_code == 200
    assert STALE_WARNING in conflict.content.decode()
    assert form_values(conflict)["req-0-goal"] == ["texture"]
    assert [r.area for r in draft.requests.all()] == [area("lips")]


def test_sending_the_same_answers_twice_with_the_old_fingerprint_is_not_a_conflict(
    anna: Client, draft: Intake
) -> None:
    answer_until(anna, draft, "treatments")
    opened = anna.get(step_url(draft, "about"))
    new_phone = {**valid_answers("about"), "phone": "+84 93 333 3333"}

    first = post_step(anna, draft, "about", new_phone, page=opened)
    second = post_step(anna, draft, "about", new_phone, page=opened)

    assert first.url == second.url == step_url(draft, "allergies")
    draft.refresh_from_db()
    assert draft.phone == "+84933333333"


# A double click posts the same page twice: the second post must be read as that page
# showed it, not against the rows the first post has just saved.


def test_a_double_click_on_the_first_save_of_the_treatments_saves_them_once(
    anna: Client, draft: Intake
) -> None:
    opened = anna.get(step_url(draft, "treatments"))
    rows = treatments_data(request_row(), lips_row())

    first = post_step(anna, draft, "treatments", rows, page=opened)
    second = post_step(anna, draft, "treatments", rows, page=opened)

    assert draft.requests.count() == 2
    assert first.status_code == 302
    assert second.status_code == 302, problems_on(second)
    assert first.url == second.url == step_url(draft, "about")


def test_a_double_click_on_the_first_save_of_the_history_saves_it_once(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft, sign=False)
    save_step(anna, draft, "history", history_data("no"))
    opened = anna.get(step_url(draft, "history"))
    history = history_data("yes", [previous_row(description="Lip filler, brand unknown")])

    first = post_step(anna, draft, "history", history, page=opened)
    second = post_step(anna, draft, "history", history, page=opened)

    assert draft.previous_treatments.count() == 1
    assert first.status_code == 302
    assert second.status_code == 302, problems_on(second)
    assert first.url == second.url == step_url(draft, "consent")


def test_a_double_click_after_adding_a_treatment_row_is_not_a_conflict(
    anna: Client, draft: Intake
) -> None:
    save_step(anna, draft, "treatments", treatments_data())
    opened = anna.get(step_url(draft, "treatments") + "?add=1")
    rows = treatments_data(request_row(), lips_row())

    first = post_step(anna, draft, "treatments", rows, page=opened)
    second = post_step(anna, draft, "treatments", rows, page=opened)

    assert first.url == step_url(draft, "about")
    assert STALE_WARNING not in second.content.decode()
    assert second.status_code == 302


def test_a_double_click_after_adding_a_treatment_row_keeps_both_rows(
    anna: Client, draft: Intake
) -> None:
    save_step(anna, draft, "treatments", treatments_data())
    opened = anna.get(step_url(draft, "treatments") + "?add=1")
    rows = treatments_data(request_row(), lips_row())

    post_step(anna, draft, "treatments", rows, page=opened)
    post_step(anna, draft, "treatments", rows, page=opened)

    assert [r.area for r in draft.requests.all()] == [area("cheeks"), area("lips")]


def test_a_double_click_on_start_opens_one_draft(anna: Client, patient_a: User) -> None:
    first = anna.post(reverse("intake:start"))
    second = anna.post(reverse("intake:start"))

    assert first.url == second.url
    assert Intake.objects.filter(patient__user=patient_a).count() == 1


# Query counts


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def with_previous_treatments(client: Client, intake: Intake, rows: int) -> None:
    previous = [
        previous_row(description=f"Booster {n}", treated_on=f"2026-0{n + 1}-01")
        for n in range(rows)
    ]
    save_step(client, intake, "history", history_data("yes", previous))
    assert intake.previous_treatments.count() == rows


def test_the_intake_home_page_needs_a_fixed_number_of_queries(
    anna: Client, draft: Intake, django_assert_max_num_queries
) -> None:
    complete_intake(anna, draft)
    with_previous_treatments(anna, draft, 1)

    with django_assert_max_num_queries(9):  # measured: 8
        assert anna.get(reverse("intake:home")).status_code == 200


def test_the_intake_home_page_does_not_query_more_for_more_rows(
    anna: Client, draft: Intake, patient_a: User
) -> None:
    complete_intake(anna, draft)
    with_previous_treatments(anna, draft, 1)
    one_row = count_queries(anna, reverse("intake:home"))

    save_step(anna, draft, "treatments", treatments_data(request_row(), lips_row(), chin_row()))
    with_previous_treatments(anna, draft, 5)
    five_rows = count_queries(anna, reverse("intake:home"))

    assert five_rows == one_row


def test_the_intake_home_page_does_not_query_more_for_more_sent_versions(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft)
    anna.post(submit_url(draft))
    one_version = count_queries(anna, reverse("intake:home"))

    for _ in range(2):
        version, _ = start_intake(anna)
        complete_intake(anna, version)
        anna.post(submit_url(version))
    three_versions = count_queries(anna, reverse("intake:home"))

    assert "Version 3" in anna.get(reverse("intake:home")).content.decode()
    assert three_versions == one_version


def test_a_step_page_needs_a_fixed_number_of_queries(
    anna: Client, draft: Intake, django_assert_max_num_queries
) -> None:
    complete_intake(anna, draft)

    with django_assert_max_num_queries(9):  # measured: 7
        assert anna.get(step_url(draft, "about")).status_code == 200


def test_a_step_page_does_not_query_more_for_more_treatment_requests(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft)
    one_request = count_queries(anna, step_url(draft, "about"))

    save_step(anna, draft, "treatments", treatments_data(request_row(), lips_row(), chin_row()))
    three_requests = count_queries(anna, step_url(draft, "about"))

    assert three_requests == one_request


def test_the_history_step_does_not_query_more_for_more_previous_treatments(
    anna: Client, draft: Intake
) -> None:
    complete_intake(anna, draft)
    with_previous_treatments(anna, draft, 1)
    one_row = count_queries(anna, step_url(draft, "history"))

    with_previous_treatments(anna, draft, 5)
    five_rows = count_queries(anna, step_url(draft, "history"))

    assert five_rows == one_row


def test_the_treatments_step_does_not_query_more_for_more_rows(anna: Client, draft: Intake) -> None:
    save_step(anna, draft, "treatments", treatments_data())
    one_row = count_queries(anna, step_url(draft, "treatments"))

    save_step(anna, draft, "treatments", treatments_data(request_row(), lips_row(), chin_row()))
    three_rows = count_queries(anna, step_url(draft, "treatments"))

    assert three_rows == one_row


def test_every_link_in_the_error_summary_leads_to_the_question_to_fix(
    anna: Client, draft: Intake
) -> None:
    response = answer_step(
        anna,
        draft,
        "allergies",
        {"has_allergies": "yes", "allergies_other": "", "anaphylaxis_history": ""},
    )
    html = response.content.decode()
    summary = re.search(r'id="error-summary".*?</ul>', html, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', summary)

    assert len(targets) >= 3, "each unanswered question is listed"
    for target in targets:
        assert f'id="{target}"' in html, f"the summary links to #{target}, which is not on the page"


def test_the_step_list_links_every_step_and_the_check_page(anna: Client, draft: Intake) -> None:
    """The list's addresses are written from one reversed address: each is the step's own."""
    from consultations.intake.steps import applicable_steps

    steps = applicable_steps(Intake.objects.get(pk=draft.pk))
    expected = [review_url(draft) if s.code == "review" else step_url(draft, s.code) for s in steps]
    for page in (step_url(draft, "about"), review_url(draft)):
        html = anna.get(page).content.decode()
        nav = html[html.index('class="list-group list-group-numbered step-nav"') :]
        nav = nav[: nav.index("</ol>")]
        assert re.findall(r'href="([^"]+)"', nav) == expected, page
