"""The intake services: every allowed and refused change, below the views."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from consultations.intake import services
from consultations.intake.models import ConsentSignature, ConsentText, Intake
from consultations.intake.steps import fingerprint, missing_steps, step_snapshot
from tests.intake.conftest import ANSWERS, area, fill, product, request_answer, sign

pytestmark = pytest.mark.django_db


def save(intake: Intake, step: str, base: str | None = None, **answers) -> Intake:
    return services.intake_save_answers(
        intake_id=intake.pk, step=step, answers=answers, base_fingerprint=base
    )


class TestOpeningADraft:
    def test_first_draft_is_version_one_with_nothing_answered(self, patient_a):
        draft = services.intake_open_draft(patient=patient_a.patient)
        assert (draft.version, draft.status, draft.previous) == (1, "draft", None)
        assert [s.code for s in missing_steps(draft)][:3] == ["treatments", "about", "allergies"]

    def test_opening_again_returns_the_same_draft(self, patient_a):
        first = services.intake_open_draft(patient=patient_a.patient)
        again = services.intake_open_draft(patient=patient_a.patient)
        assert first.pk == again.pk
        assert patient_a.patient.intakes.count() == 1

    def test_after_submission_a_new_version_is_prefilled_except_the_skin(self, submitted):
        v2 = services.intake_open_draft(patient=submitted.patient)
        assert (v2.version, v2.previous_id, v2.status) == (2, submitted.pk, "draft")
        assert v2.medications == "Eliquis 5mg, fish oil"
        assert v2.common_allergies == ["lidocaine"]
        assert [(r.product.code, r.area.code) for r in v2.requests.all()] == [
            ("skinvive", "cheeks")
        ]
        assert not v2.skin_checks.exists(), "the skin today must be answered again"
        assert v2.consent_signature is None, "a new version is signed again"
        assert [s.code for s in missing_steps(v2)] == ["skin", "consent"]

    def test_the_earlier_version_is_kept_unchanged(self, submitted):
        before = step_snapshot(submitted, "medicines")
        v2 = services.intake_open_draft(patient=submitted.patient)
        save(v2, "medicines", **{**ANSWERS["medicines"], "medications": "warfarin"})
        submitted.refresh_from_db()
        assert step_snapshot(submitted, "medicines") == before
        assert submitted.is_submitted


class TestSavingAnswers:
    def test_answers_of_a_step_are_saved(self, draft):
        save(draft, "about", date_of_birth=dt.date(1985, 2, 3), sex_at_birth="female", phone="")
        draft.refresh_from_db()
        assert (draft.date_of_birth, draft.sex_at_birth) == (dt.date(1985, 2, 3), "female")

    def test_a_step_cannot_write_another_steps_answers(self, draft):
        with pytest.raises(ValueError, match="medications"):
            save(draft, "about", medications="warfarin")

    def test_pregnancy_is_not_applicable_to_a_patient_born_male(self, draft):
        save(draft, "about", date_of_birth=dt.date(1985, 2, 3), sex_at_birth="male", phone="")
        draft.refresh_from_db()
        assert draft.pregnancy == "not_applicable"
        assert "pregnancy" not in [s.code for s in missing_steps(draft)]

    def test_pregnancy_is_asked_again_when_sex_at_birth_changes_from_male(self, draft):
        save(draft, "about", date_of_birth=dt.date(1985, 2, 3), sex_at_birth="male", phone="")
        save(draft, "about", date_of_birth=dt.date(1985, 2, 3), sex_at_birth="female", phone="")
        draft.refresh_from_db()
        assert draft.pregnancy == ""
        assert "pregnancy" in [s.code for s in missing_steps(draft)]

    def test_a_minor_cannot_be_saved(self, draft):
        with time_machine.travel(dt.date(2026, 11, 23)), pytest.raises(ValidationError) as error:
            save(draft, "about", date_of_birth=dt.date(2008, 11, 24), sex_at_birth="female")
        assert "adults only" in str(error.value)
        draft.refresh_from_db()
        assert draft.date_of_birth is None

    def test_a_patient_turning_18_today_is_an_adult(self, draft):
        with time_machine.travel(dt.date(2026, 11, 23)):
            save(draft, "about", date_of_birth=dt.date(2008, 11, 23), sex_at_birth="female")
        draft.refresh_from_db()
        assert draft.date_of_birth == dt.date(2008, 11, 23)

    def test_a_pregnancy_answer_is_refused_for_a_patient_born_male(self, draft):
        save(draft, "about", date_of_birth=dt.date(1985, 2, 3), sex_at_birth="male", phone="")
        with pytest.raises(ValidationError):
            save(draft, "pregnancy", pregnancy="pregnant")

    def test_unknown_condition_codes_are_refused(self, draft):
        with pytest.raises(ValidationError):
            save(draft, "conditions", conditions=["vampirism"], conditions_other="")


class TestConflicts:
    def test_answers_saved_elsewhere_since_the_page_opened_are_not_overwritten(self, draft):
        base = fingerprint(step_snapshot(draft, "about"))
        save(draft, "about", base, date_of_birth=dt.date(1985, 2, 3), sex_at_birth="female")
        with pytest.raises(services.StaleAnswers) as stale:
            save(draft, "about", base, date_of_birth=dt.date(1970, 1, 1), sex_at_birth="female")
        draft.refresh_from_db()
        assert draft.date_of_birth == dt.date(1985, 2, 3)
        # Saving again with the fingerprint the patient has now seen goes through.
        save(
            draft,
            "about",
            stale.value.current_fingerprint,
            date_of_birth=dt.date(1970, 1, 1),
            sex_at_birth="female",
        )
        draft.refresh_from_db()
        assert draft.date_of_birth == dt.date(1970, 1, 1)

    def test_a_double_click_sending_the_same_answers_twice_is_not_a_conflict(self, draft):
        base = fingerprint(step_snapshot(draft, "about"))
        answers = {"date_of_birth": dt.date(1985, 2, 3), "sex_at_birth": "female"}
        save(draft, "about", base, **answers)
        save(draft, "about", base, **answers)
        draft.refresh_from_db()
        assert draft.date_of_birth == dt.date(1985, 2, 3)

    def test_another_step_saved_meanwhile_is_not_a_conflict(self, draft):
        base_about = fingerprint(step_snapshot(draft, "about"))
        save(draft, "conditions", None, conditions=[], conditions_other="")
        save(draft, "about", base_about, date_of_birth=dt.date(1985, 2, 3), sex_at_birth="female")
        draft.refresh_from_db()
        assert draft.conditions == []
        assert draft.date_of_birth == dt.date(1985, 2, 3)


class TestRequestsSkinAndHistory:
    def test_requests_replace_the_previous_ones_in_order(self, draft):
        services.intake_save_requests(
            intake_id=draft.pk,
            requests=[request_answer("kybella", "submental", "fat_reduction")],
            base_fingerprint=None,
        )
        services.intake_save_requests(
            intake_id=draft.pk,
            requests=[request_answer("skinvive", "cheeks"), request_answer("meso-vitamin", "neck")],
            base_fingerprint=None,
        )
        assert [(r.product.code, r.area.code, r.position) for r in draft.requests.all()] == [
            ("skinvive", "cheeks", 0),
            ("meso-vitamin", "neck", 1),
        ]

    def test_a_request_without_a_product_is_kept_as_a_treatment(self, draft):
        mesotherapy = product("meso-vitamin").treatment
        services.intake_save_requests(
            intake_id=draft.pk,
            requests=[services.RequestAnswer(mesotherapy, None, area("face"), "texture")],
            base_fingerprint=None,
        )
        (request,) = draft.requests.all()
        assert (request.treatment.code, request.product) == ("mesotherapy", None)

    def test_the_same_product_twice_in_one_area_is_refused(self, draft):
        with pytest.raises(ValidationError, match="listed twice"):
            services.intake_save_requests(
                intake_id=draft.pk,
                requests=[
                    request_answer("skinvive", "cheeks"),
                    request_answer("skinvive", "cheeks"),
                ],
                base_fingerprint=None,
            )

    def test_a_product_of_another_treatment_is_refused(self, draft):
        kybella = product("kybella")
        with pytest.raises(ValidationError):
            services.intake_save_requests(
                intake_id=draft.pk,
                requests=[
                    services.RequestAnswer(
                        product("skinvive").treatment, kybella, area("cheeks"), "volume"
                    )
                ],
                base_fingerprint=None,
            )
        assert not draft.requests.exists()

    def test_no_request_at_all_is_refused(self, draft):
        with pytest.raises(ValidationError, match="at least one"):
            services.intake_save_requests(intake_id=draft.pk, requests=[], base_fingerprint=None)

    def test_skin_must_be_answered_for_each_requested_area_and_only_those(self, draft):
        fill(draft, skip=("skin",))
        with pytest.raises(ValidationError):
            services.intake_save_skin(
                intake_id=draft.pk, findings={area("lips").pk: []}, base_fingerprint=None
            )
        services.intake_save_skin(
            intake_id=draft.pk,
            findings={area("cheeks").pk: ["inflamed_acne"]},
            base_fingerprint=None,
        )
        assert [c.findings for c in draft.skin_checks.all()] == [["inflamed_acne"]]

    def test_dropping_an_area_drops_its_skin_answer_and_a_new_area_asks_again(self, draft):
        fill(
            draft,
            requests=[request_answer("skinvive", "cheeks"), request_answer("meso-vitamin", "neck")],
        )
        services.intake_save_requests(
            intake_id=draft.pk,
            requests=[
                request_answer("skinvive", "cheeks"),
                request_answer("juvederm-volbella-xc", "lips"),
            ],
            base_fingerprint=None,
        )
        assert [c.area.code for c in draft.skin_checks.all()] == ["cheeks"]
        assert "skin" in [s.code for s in missing_steps(draft)]

    def test_unknown_skin_findings_are_refused(self, draft):
        fill(draft, skip=("skin",))
        with pytest.raises(ValidationError):
            services.intake_save_skin(
                intake_id=draft.pk, findings={area("cheeks").pk: ["sunburn"]}, base_fingerprint=None
            )

    def test_previous_treatments_are_required_when_the_patient_says_yes(self, draft):
        with pytest.raises(ValidationError):
            services.intake_save_history(
                intake_id=draft.pk, had_previous_treatments=True, previous=[], base_fingerprint=None
            )

    def test_answering_no_previous_treatment_clears_listed_ones(self, draft):
        previous = [
            services.PreviousAnswer(product("kybella"), "", area("submental"), dt.date(2026, 9, 1))
        ]
        services.intake_save_history(
            intake_id=draft.pk,
            had_previous_treatments=True,
            previous=previous,
            base_fingerprint=None,
        )
        assert draft.previous_treatments.count() == 1
        services.intake_save_history(
            intake_id=draft.pk,
            had_previous_treatments=False,
            previous=previous,
            base_fingerprint=None,
        )
        assert draft.previous_treatments.count() == 0

    def test_a_previous_treatment_in_the_future_is_refused(self, draft):
        future = dt.date.today() + dt.timedelta(days=3)
        with pytest.raises(ValidationError):
            services.intake_save_history(
                intake_id=draft.pk,
                had_previous_treatments=True,
                previous=[services.PreviousAnswer(None, "lip filler", area("lips"), future)],
                base_fingerprint=None,
            )


class TestPendingInput:
    def test_typed_input_that_did_not_validate_is_kept_on_the_draft(self, draft):
        services.intake_keep_pending_input(
            intake_id=draft.pk, step="about", data={"date_of_birth": ["31/02/1990"]}
        )
        draft.refresh_from_db()
        assert draft.pending_input == {"about": {"date_of_birth": ["31/02/1990"]}}

    def test_a_successful_save_clears_the_kept_input_of_that_step_only(self, draft):
        services.intake_keep_pending_input(intake_id=draft.pk, step="about", data={"x": ["1"]})
        services.intake_keep_pending_input(intake_id=draft.pk, step="medicines", data={"y": ["2"]})
        save(draft, "about", date_of_birth=dt.date(1985, 2, 3), sex_at_birth="female")
        draft.refresh_from_db()
        assert draft.pending_input == {"medicines": {"y": ["2"]}}


class TestConsent:
    def test_signing_stores_the_exact_text_its_hash_the_name_time_address_and_browser(self, draft):
        fill(draft)
        text = ConsentText.objects.get(version="2026-11-v1", language="en")
        with time_machine.travel(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)):
            sign(draft, "Anna Nguyen", text)
        signature = Intake.objects.get(pk=draft.pk).consent_signature
        assert signature.consent_text == text
        assert signature.text_sha256 == ConsentText.digest(text.title, text.body)
        assert (signature.full_name, signature.ip_address) == ("Anna Nguyen", "203.0.113.7")
        assert signature.user_agent == "Mozilla/5.0 (iPhone)"
        assert signature.signed_at == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)

    def test_signing_before_answering_everything_is_refused(self, draft):
        fill(draft, skip=("medicines",))
        with pytest.raises(ValidationError, match="Medicines"):
            sign(draft)

    def test_signing_twice_with_a_double_click_makes_one_signature(self, draft):
        fill(draft)
        sign(draft)
        sign(draft)
        assert ConsentSignature.objects.count() == 1

    def test_an_empty_name_is_not_a_signature(self, draft):
        fill(draft)
        with pytest.raises(ValidationError):
            sign(draft, "   ")

    def test_changing_an_answer_after_signing_voids_the_signature(self, complete_draft):
        save(complete_draft, "medicines", **{**ANSWERS["medicines"], "medications": "warfarin"})
        complete_draft.refresh_from_db()
        assert complete_draft.consent_signature is None
        assert [s.code for s in missing_steps(complete_draft)] == ["consent"]

    def test_saving_the_same_answers_after_signing_keeps_the_signature(self, complete_draft):
        save(complete_draft, "medicines", **ANSWERS["medicines"])
        complete_draft.refresh_from_db()
        assert complete_draft.consent_signature is not None

    def test_a_consent_text_whose_hash_does_not_match_cannot_be_signed(self, draft):
        fill(draft)
        text = ConsentText.objects.get(language="en")
        text.body += " (tampered)"  # not saved: the stored hash is of the original text
        with pytest.raises(ValueError, match="hash"):
            sign(draft, "Anna Nguyen", text)


class TestSubmitting:
    def test_submitting_freezes_the_version_with_its_time(self, complete_draft):
        with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)):
            intake = services.intake_submit(intake_id=complete_draft.pk)
        assert intake.status == "submitted"
        assert intake.submitted_at == dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
        assert intake.pending_input == {}

    def test_submitting_twice_returns_the_same_submission_unchanged(self, submitted):
        again = services.intake_submit(intake_id=submitted.pk)
        assert (again.pk, again.submitted_at) == (submitted.pk, submitted.submitted_at)
        assert Intake.objects.filter(patient=submitted.patient).count() == 1

    def test_submitting_with_missing_answers_names_what_is_missing(self, draft):
        fill(draft, skip=("conditions",))
        with pytest.raises(ValidationError) as error:
            services.intake_submit(intake_id=draft.pk)
        assert "Health conditions" in str(error.value)
        draft.refresh_from_db()
        assert draft.is_draft

    def test_submitting_without_consent_is_refused(self, draft):
        fill(draft)
        with pytest.raises(ValidationError, match="Consent"):
            services.intake_submit(intake_id=draft.pk)

    def test_a_patient_who_is_a_minor_on_the_day_of_submission_is_refused(self, draft):
        with time_machine.travel(dt.date(2026, 11, 1)):
            fill(draft, about={"date_of_birth": dt.date(2008, 10, 31), "sex_at_birth": "female"})
            sign(draft)
        # The date of birth is corrected in the database to a minor's (a data-entry bug).
        Intake.objects.filter(pk=draft.pk).update(date_of_birth=dt.date(2010, 1, 1))
        with pytest.raises(ValidationError, match="adults only"):
            services.intake_submit(intake_id=draft.pk)

    def test_a_consent_published_after_signing_must_be_signed_again(self, complete_draft):
        ConsentText.objects.create(
            version="2027-01-v2", language="en", title="Consent v2", body="New text."
        )
        with pytest.raises(ValidationError, match="updated"):
            services.intake_submit(intake_id=complete_draft.pk)
        sign(complete_draft, text=ConsentText.objects.get(version="2027-01-v2"))
        assert services.intake_submit(intake_id=complete_draft.pk).is_submitted

    @pytest.mark.parametrize(
        "change",
        [
            lambda i: save(i, "conditions", conditions=[], conditions_other=""),
            lambda i: services.intake_save_requests(
                intake_id=i.pk,
                requests=[request_answer("kybella", "submental")],
                base_fingerprint=None,
            ),
            lambda i: services.intake_save_skin(intake_id=i.pk, findings={}, base_fingerprint=None),
            lambda i: services.intake_save_history(
                intake_id=i.pk, had_previous_treatments=False, previous=[], base_fingerprint=None
            ),
            lambda i: services.intake_keep_pending_input(intake_id=i.pk, step="about", data={}),
            lambda i: sign(i),
        ],
        ids=["answers", "requests", "skin", "history", "pending", "consent"],
    )
    def test_no_service_changes_a_submitted_intake(self, submitted, change):
        before = {s: step_snapshot(submitted, s) for s in ("conditions", "treatments", "skin")}
        with pytest.raises(services.IntakeNotEditable):
            change(submitted)
        submitted.refresh_from_db()
        assert {s: step_snapshot(submitted, s) for s in before} == before


class TestAnswersTheScreeningContractAccepts:
    """A submission can never produce input the screening contract refuses."""

    def test_the_same_previous_treatment_twice_is_refused(self, draft):
        twice = [
            services.PreviousAnswer(product("kybella"), "", area("submental"), dt.date(2026, 9, 1))
        ] * 2
        with pytest.raises(ValidationError, match="twice"):
            services.intake_save_history(
                intake_id=draft.pk,
                had_previous_treatments=True,
                previous=twice,
                base_fingerprint=None,
            )

    def test_a_previous_treatment_before_birth_is_refused(self, draft):
        fill(draft, skip=("history",))
        with pytest.raises(ValidationError, match="before your date of birth"):
            services.intake_save_history(
                intake_id=draft.pk,
                had_previous_treatments=True,
                previous=[services.PreviousAnswer(None, "peel", area("face"), dt.date(1980, 1, 1))],
                base_fingerprint=None,
            )

    def test_isotretinoin_before_birth_is_refused(self, draft):
        fill(draft, skip=("medicines",))
        with pytest.raises(ValidationError, match="before your date of birth"):
            save(
                draft,
                "medicines",
                **{
                    **ANSWERS["medicines"],
                    "isotretinoin": "recent",
                    "isotretinoin_last_taken": dt.date(1989, 1, 1),
                },
            )

    def test_a_date_of_birth_moved_after_a_listed_treatment_is_caught_at_submission(self, draft):
        fill(draft, skip=("history",))
        services.intake_save_history(
            intake_id=draft.pk,
            had_previous_treatments=True,
            previous=[services.PreviousAnswer(None, "peel", area("face"), dt.date(2000, 1, 1))],
            base_fingerprint=None,
        )
        save(draft, "about", date_of_birth=dt.date(2001, 5, 5), sex_at_birth="female", phone="")
        sign(draft)
        with pytest.raises(ValidationError, match="before your date of birth"):
            services.intake_submit(intake_id=draft.pk)
