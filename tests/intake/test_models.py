"""Rules the database itself holds, whatever path a change takes (admin, shell, bulk update)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from consultations.intake.models import (
    ConsentSignature,
    ConsentText,
    Intake,
    PreviousTreatment,
    SkinCheck,
    TreatmentRequest,
    age_on,
)
from tests.intake.conftest import area, product

pytestmark = pytest.mark.django_db


def refused(action) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


class TestConstraints:
    def test_a_patient_has_at_most_one_open_draft(self, draft):
        refused(lambda: Intake.objects.create(patient=draft.patient, version=2))

    def test_versions_of_a_patient_are_unique(self, submitted):
        refused(lambda: Intake.objects.create(patient=submitted.patient, version=1))

    def test_a_submission_without_a_consent_signature_is_impossible(self, draft):
        refused(
            lambda: Intake.objects.filter(pk=draft.pk).update(
                status="submitted", submitted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
            )
        )

    def test_a_submission_without_a_time_is_impossible(self, complete_draft):
        refused(lambda: Intake.objects.filter(pk=complete_draft.pk).update(status="submitted"))

    def test_an_unknown_status_is_impossible(self, draft):
        refused(lambda: Intake.objects.filter(pk=draft.pk).update(status="approved"))

    def test_recent_isotretinoin_needs_a_date(self, draft):
        refused(lambda: Intake.objects.filter(pk=draft.pk).update(isotretinoin="recent"))

    def test_a_previous_treatment_must_name_something(self, draft):
        refused(
            lambda: PreviousTreatment.objects.create(
                intake=draft, area=area("lips"), treated_on=dt.date(2026, 1, 1)
            )
        )

    def test_one_product_once_per_area(self, draft):
        skinvive = product("skinvive")
        TreatmentRequest.objects.create(
            intake=draft,
            treatment=skinvive.treatment,
            product=skinvive,
            area=area("cheeks"),
            goal="hydration",
        )
        refused(
            lambda: TreatmentRequest.objects.create(
                intake=draft,
                treatment=skinvive.treatment,
                product=skinvive,
                area=area("cheeks"),
                goal="texture",
            )
        )

    def test_one_treatment_without_product_once_per_area(self, draft):
        mesotherapy = product("meso-vitamin").treatment
        TreatmentRequest.objects.create(
            intake=draft, treatment=mesotherapy, area=area("face"), goal="hydration"
        )
        refused(
            lambda: TreatmentRequest.objects.create(
                intake=draft, treatment=mesotherapy, area=area("face"), goal="pores"
            )
        )

    def test_a_consent_hash_must_be_hex_sha256(self, draft):
        text = ConsentText.objects.get(language="en")
        refused(
            lambda: ConsentSignature.objects.create(
                consent_text=text, text_sha256="not-a-hash", full_name="Anna"
            )
        )


@pytest.mark.usefixtures("is_postgresql")
class TestImmutabilityTriggers:
    """PostgreSQL refuses every change to a submission, however it is attempted."""

    def test_updating_a_submitted_intake_is_refused(self, submitted):
        refused(lambda: Intake.objects.filter(pk=submitted.pk).update(medications="none"))
        submitted.refresh_from_db()
        assert submitted.medications == "Eliquis 5mg, fish oil"

    def test_saving_a_changed_submitted_intake_through_the_orm_is_refused(self, submitted):
        submitted.pregnancy = "pregnant"
        refused(submitted.save)

    def test_deleting_a_submitted_intake_is_refused(self, submitted):
        refused(lambda: Intake.objects.filter(pk=submitted.pk).delete())
        assert Intake.objects.filter(pk=submitted.pk).exists()

    def test_adding_a_request_to_a_submitted_intake_is_refused(self, submitted):
        kybella = product("kybella")
        refused(
            lambda: TreatmentRequest.objects.create(
                intake=submitted,
                treatment=kybella.treatment,
                product=kybella,
                area=area("submental"),
                goal="fat_reduction",
            )
        )

    def test_changing_or_deleting_the_answers_of_a_submitted_intake_is_refused(self, submitted):
        refused(lambda: submitted.requests.update(goal="volume"))
        refused(lambda: submitted.requests.all().delete())
        refused(lambda: SkinCheck.objects.filter(intake=submitted).update(findings=["rash"]))
        refused(lambda: SkinCheck.objects.filter(intake=submitted).delete())
        assert [c.findings for c in submitted.skin_checks.all()] == [[]]

    def test_moving_an_answer_row_into_a_submitted_intake_is_refused(self, submitted, patient_b):
        from consultations.intake.services import intake_open_draft

        other = intake_open_draft(patient=patient_b.patient)
        row = PreviousTreatment.objects.create(
            intake=other, description="peel", area=area("face"), treated_on=dt.date(2026, 1, 1)
        )
        refused(lambda: PreviousTreatment.objects.filter(pk=row.pk).update(intake=submitted))

    def test_a_draft_can_still_be_changed_and_deleted(self, draft):
        Intake.objects.filter(pk=draft.pk).update(medications="none")
        draft.delete()
        assert not Intake.objects.filter(pk=draft.pk).exists()

    def test_a_published_consent_text_is_never_edited_or_deleted(self):
        text = ConsentText.objects.get(language="en")
        refused(lambda: ConsentText.objects.filter(pk=text.pk).update(body="softer words"))
        refused(lambda: ConsentText.objects.filter(pk=text.pk).delete())

    def test_a_signature_is_never_edited_or_deleted(self, submitted):
        signature = submitted.consent_signature
        refused(lambda: ConsentSignature.objects.filter(pk=signature.pk).update(full_name="X"))
        refused(lambda: ConsentSignature.objects.filter(pk=signature.pk).delete())


class TestModelRules:
    def test_a_future_date_of_birth_is_invalid(self, draft):
        draft.date_of_birth = dt.date.today() + dt.timedelta(days=1)
        with pytest.raises(ValidationError, match="future"):
            draft.full_clean()

    def test_a_minor_is_invalid_with_a_plain_message(self, draft):
        today = dt.date.today()
        draft.date_of_birth = today.replace(year=today.year - 17)
        with pytest.raises(ValidationError, match="adults only"):
            draft.full_clean()

    def test_the_consent_hash_is_kept_true_to_the_text(self):
        text = ConsentText.objects.create(version="t", language="vi", title="T", body="B")
        assert text.sha256 == ConsentText.digest("T", "B")
        assert len(text.sha256) == 64

    def test_the_seeded_consent_hash_matches_its_text(self):
        text = ConsentText.objects.get(version="2026-11-v1", language="en")
        assert text.sha256 == ConsentText.digest(text.title, text.body)

    @pytest.mark.parametrize(
        ("born", "day", "age"),
        [
            (dt.date(2000, 6, 15), dt.date(2018, 6, 14), 17),
            (dt.date(2000, 6, 15), dt.date(2018, 6, 15), 18),
            (dt.date(2000, 2, 29), dt.date(2018, 2, 28), 17),
            (dt.date(2000, 2, 29), dt.date(2018, 3, 1), 18),
            (dt.date(2000, 2, 29), dt.date(2020, 2, 29), 20),
        ],
    )
    def test_age_is_whole_years_on_the_day(self, born, day, age):
        assert age_on(born, day) == age
