"""The clinician's case page and decision forms, through the views."""

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.patients.models import User
from consultations.review.models import (
    CLEARANCE_DAYS,
    Clearance,
    Decision,
    ReviewCase,
)
from consultations.review.services import review_claim
from tests.review.conftest import decide, resubmit

pytestmark = pytest.mark.django_db

SKINVIVE = "skinvive--cheeks"
JUSTIFICATION = "Patch-tested lidocaine-free protocol; allergist letter on file, no anaesthetic."


def page(client: Client, case: ReviewCase) -> str:
    response = client.get(reverse("review:case", kwargs={"public_id": case.public_id}))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def section(text: str, code: str) -> str:
    """The card of one answer section on the case page."""
    start = text.index(f'aria-labelledby="answers-{code}"')
    return text[start : text.index("</section>", start)]


def post(client: Client, case: ReviewCase, prefix: str = SKINVIVE, **fields: Any):
    data: dict[str, Any] = {"request": prefix}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return client.post(reverse("review:decide", kwargs={"public_id": case.public_id}), data)


def today() -> dt.date:
    return timezone.localdate()


# --- The page ---------------------------------------------------------------------------


def test_clinician_sees_each_flag_beside_the_answer_that_raised_it(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    text = page(client, blocked_case)
    allergies = section(text, "allergies")
    assert "LIDO-AMIDE-BLOCK" in allergies
    assert "this product contains lidocaine." in allergies
    assert "contraindicated with allergy to amide-type anaesthetics" in allergies
    assert "“lidocaine; xylocaine”" in allergies or "<q>lidocaine; xylocaine</q>" in allergies
    medicines = section(text, "medicines")
    assert "ANTICOAGULANT" in medicines
    assert "<q>Eliquis</q>" in medicines
    assert "BLEED-SUPPLEMENT" in medicines
    assert "<q>fish oil</q>" in medicines
    assert "LIDO-AMIDE-BLOCK" not in medicines
    assert "ANTICOAGULANT" not in allergies


def test_case_header_names_the_patient_version_ruleset_and_first_version(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    text = page(client, blocked_case)
    assert "Anna Nguyen" in text
    assert "version 1" in text
    assert blocked_case.screening.ruleset in text
    assert "First version: nothing to compare." in text
    # The override justification is asked for, and why.
    assert "Override justification (required to clear)" in text
    assert "This request has a block flag" in text


def test_changes_since_the_previous_version_are_listed(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    second = resubmit(blocked_case, medicines={"takes_medications": False, "medications": ""})
    client.force_login(clinician)
    text = page(client, second)
    assert "What changed since version 1" in text
    assert "Medicines and supplements" in text
    assert "<del>Eliquis 5mg, fish oil</del>" in text
    assert "<ins>nothing</ins>" in text
    # The old version's page says it was replaced.
    assert "newer version" in page(client, blocked_case)


# --- Each decision ----------------------------------------------------------------------


def test_clear_with_conditions_and_the_default_expiry(
    client: Client, clinician: User, clean_case: ReviewCase
) -> None:
    client.force_login(clinician)
    default = page(client, clean_case)
    expiry = today() + dt.timedelta(days=CLEARANCE_DAYS)
    assert f'value="{expiry.isoformat()}"' in default
    response = post(
        client,
        clean_case,
        "meso-vitamin--face",
        kind="clear",
        conditions=["patch_test", "no_topical_anaesthetic"],
        conditions_note="Lidocaine-free product only",
        expires_on=expiry.isoformat(),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#meso-vitamin--face")
    decision = Decision.objects.get(case=clean_case)
    assert decision.kind == "clear"
    assert not decision.is_override
    assert decision.conditions == ["no_topical_anaesthetic", "patch_test"]
    assert decision.expires_on == expiry
    assert decision.clinician_registration == "GMC-7012345"
    assert Clearance.objects.get(decision=decision).expires_on == expiry
    text = page(client, clean_case)
    assert "Decision recorded" in text
    assert "Patch test first" in text
    assert "Lidocaine-free product only" in text
    assert "Dr Minh Le (registration GMC-7012345)" in text


def test_clear_without_an_expiry_takes_the_default(
    client: Client, clinician: User, clean_case: ReviewCase
) -> None:
    client.force_login(clinician)
    assert post(client, clean_case, "meso-vitamin--face", kind="clear").status_code == 302
    decision = Decision.objects.get(case=clean_case)
    assert decision.expires_on == today() + dt.timedelta(days=CLEARANCE_DAYS)


def test_in_person_consultation_ignores_the_prefilled_expiry(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    response = post(
        client,
        blocked_case,
        kind="consult",
        expires_on=(today() + dt.timedelta(days=CLEARANCE_DAYS)).isoformat(),
        message_to_patient="We would like to see your skin first.",
    )
    assert response.status_code == 302
    decision = Decision.objects.get(case=blocked_case)
    assert decision.kind == "consult"
    assert decision.expires_on is None
    assert not Clearance.objects.exists()
    assert ReviewCase.objects.get(pk=blocked_case.pk).status == "decided"


def test_defer_until_a_date(client: Client, clinician: User, blocked_case: ReviewCase) -> None:
    client.force_login(clinician)
    later = today() + dt.timedelta(days=30)
    assert (
        post(client, blocked_case, kind="defer", defer_until=later.isoformat()).status_code == 302
    )
    assert Decision.objects.get(case=blocked_case).defer_until == later


def test_defer_without_a_date_is_refused_beside_the_field(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    response = post(client, blocked_case, kind="defer", note="Wait for the rash")
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "Choose the date to defer until." in text
    # The error summary links to the field, which carries the message beside it.
    assert 'href="#div_id_skinvive--cheeks-defer_until"' in text
    assert 'id="div_id_skinvive--cheeks-defer_until"' in text
    assert "Wait for the rash" in text
    assert not Decision.objects.exists()


def test_decline(client: Client, clinician: User, blocked_case: ReviewCase) -> None:
    client.force_login(clinician)
    assert post(client, blocked_case, kind="decline", note="Allergy").status_code == 302
    assert Decision.objects.get(case=blocked_case).kind == "decline"
    assert "Decline" in page(client, blocked_case)


@pytest.mark.parametrize("value", ["31/02/2026", "tomorrow", "2026-13-01"])
def test_a_bad_date_gives_a_clear_message(
    client: Client, clinician: User, blocked_case: ReviewCase, value: str
) -> None:
    client.force_login(clinician)
    response = post(client, blocked_case, kind="defer", defer_until=value)
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "Enter a real date, for example 2026-12-01." in text
    assert f'value="{value}"' in text
    assert not Decision.objects.exists()


def test_a_past_expiry_is_refused(client: Client, clinician: User, clean_case: ReviewCase) -> None:
    client.force_login(clinician)
    response = post(client, clean_case, "meso-vitamin--face", kind="clear", expires_on="2020-01-01")
    assert response.status_code == 400
    assert "The expiry must be after today." in html.unescape(response.content.decode())


def test_no_decision_chosen_is_refused(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    response = post(client, blocked_case, note="thinking")
    assert response.status_code == 400
    assert "Choose a decision." in response.content.decode()


def test_an_unknown_request_is_refused(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    response = post(client, blocked_case, "kybella--submental", kind="decline")
    assert response.status_code == 400
    assert not Decision.objects.exists()


# --- Override ---------------------------------------------------------------------------


def test_clearing_a_block_without_justification_is_refused_and_keeps_what_was_typed(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    response = post(
        client,
        blocked_case,
        kind="clear",
        conditions=["lidocaine_free"],
        conditions_note="Use the lidocaine-free batch",
        justification="too short",
        message_to_patient="See you soon",
        note="Discussed on the phone",
    )
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert 'id="error-summary"' in text
    assert "Clearing it is an override" in text
    for typed in (
        "Use the lidocaine-free batch",
        "too short",
        "See you soon",
        "Discussed on the phone",
    ):
        assert typed in text
    assert 'value="lidocaine_free"' in text
    assert "checked" in text
    assert not Decision.objects.exists()


def test_an_override_with_justification_is_saved_and_marked(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    response = post(client, blocked_case, kind="clear", justification=JUSTIFICATION)
    assert response.status_code == 302
    decision = Decision.objects.get(case=blocked_case)
    assert decision.is_override
    assert decision.justification == JUSTIFICATION
    assert Clearance.objects.get(decision=decision).is_override
    text = page(client, blocked_case)
    assert 'case-override">Override</span>' in text
    assert JUSTIFICATION in text


# --- Claims, stale pages, corrections ---------------------------------------------------


def test_a_second_clinician_is_told_who_holds_the_claim(
    client: Client, clinician: User, clinician_b: User, blocked_case: ReviewCase
) -> None:
    review_claim(case_id=blocked_case.pk, clinician=clinician_b)
    client.force_login(clinician)
    assert "Dr Thu Vo is reviewing this case" in page(client, blocked_case)
    response = post(client, blocked_case, kind="decline", note="mine")
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "Dr Thu Vo is reviewing this case" in text
    assert "mine" in text
    assert not Decision.objects.exists()


def test_a_stale_form_is_refused_and_shows_the_decision_now_standing(
    client: Client, clinician: User, clinician_b: User, clean_case: ReviewCase
) -> None:
    client.force_login(clinician)
    page(client, clean_case)  # the form is read with nothing standing
    decide(clean_case, clinician_b, "meso-vitamin", "face", "decline")
    response = post(client, clean_case, "meso-vitamin--face", kind="clear", note="my view")
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "This request was decided meanwhile" in text
    assert "Dr Thu Vo (registration NMC-12A3456E)" in text
    assert "my view" in text
    assert Decision.objects.count() == 1
    # Having read it, sending the same form again is a correction of what now stands.
    standing = Decision.objects.get()
    assert f'value="{standing.public_id}"' in text


def test_the_same_form_sent_twice_makes_one_decision(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    client.force_login(clinician)
    assert post(client, blocked_case, kind="decline").status_code == 302
    again = post(client, blocked_case, kind="decline")
    assert again.status_code == 400
    assert Decision.objects.count() == 1


def test_a_correction_is_a_new_decision_and_revokes_the_old_clearance(
    client: Client, clinician: User, clean_case: ReviewCase
) -> None:
    first = decide(clean_case, clinician, "meso-vitamin", "face", "clear")
    client.force_login(clinician)
    text = page(client, clean_case)
    assert "Correct this decision" in text
    assert f'value="{first.public_id}"' in text
    response = post(
        client, clean_case, "meso-vitamin--face", kind="decline", replaces=str(first.public_id)
    )
    assert response.status_code == 302
    correction = Decision.objects.get(corrects=first)
    assert correction.kind == "decline"
    clearance = Clearance.objects.get(decision=first)
    assert clearance.revoked_at is not None
    assert clearance.revoked_because == "corrected"
    text = page(client, clean_case)
    assert "1 earlier decision" in text


# --- Who may --------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client: Client, blocked_case: ReviewCase) -> None:
    url = reverse("review:case", kwargs={"public_id": blocked_case.public_id})
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = post(client, blocked_case, kind="decline")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Decision.objects.exists()


@pytest.mark.parametrize("who", ["patient_a", "patient_b", "front_desk"])
def test_patients_and_the_front_desk_cannot_open_or_decide_a_case(
    client: Client, request: pytest.FixtureRequest, blocked_case: ReviewCase, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    url = reverse("review:case", kwargs={"public_id": blocked_case.public_id})
    assert client.get(url).status_code in (403, 404)
    assert post(client, blocked_case, kind="decline").status_code in (403, 404)
    assert not Decision.objects.exists()


def test_an_unknown_case_is_not_found(client: Client, clinician: User) -> None:
    client.force_login(clinician)
    url = reverse("review:case", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})
    assert client.get(url).status_code == 404


def test_a_clinician_without_registration_number_is_told_clearly(
    client: Client, clinician: User, blocked_case: ReviewCase
) -> None:
    User.objects.filter(pk=clinician.pk).update(registration_number="")
    client.force_login(clinician)
    assert "no professional registration number" in page(client, blocked_case)
    response = post(client, blocked_case, kind="decline", note="kept")
    assert response.status_code == 403
    text = html.unescape(response.content.decode())
    assert "Add your professional registration number to your account before deciding." in text
    assert "kept" in text
    assert not Decision.objects.exists()


def test_a_concern_is_shown_and_closed_from_the_case_page(client, clinician, blocked_case):
    from consultations.review.services import review_case_open_concern

    concern = review_case_open_concern(
        kind=ReviewCase.Kind.PROBLEM, intake_id=blocked_case.intake_id, summary="pus and fever"
    )
    client.force_login(clinician)
    url = reverse("review:case", kwargs={"public_id": concern.public_id})
    page = client.get(url).content.decode()
    assert "pus and fever" in page
    assert "Close this concern" in page
    resolve = reverse("review:resolve", kwargs={"public_id": concern.public_id})
    assert client.post(resolve, {"resolution": ""}).status_code == 400
    response = client.post(resolve, {"resolution": "Called the patient."}, follow=True)
    assert "Called the patient." in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == ReviewCase.Status.DECIDED
