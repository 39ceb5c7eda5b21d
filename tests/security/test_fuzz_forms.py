"""Bad input never becomes a server error: property-based fuzzing (hypothesis) of every form
class in the project and of every POST endpoint patients, clinicians and the front desk use.

Forms are found by walking the `consultations` package, so a new form is fuzzed without a
change here; one whose constructor needs arguments fails `test_every_form_can_be_fuzzed`
until it has a factory in FORM_FACTORIES.
"""

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms
from django.conf import settings as django_settings
from django.http import QueryDict
from django.test import RequestFactory, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import consultations
from consultations.booking.services import (
    appointment_book,
    appointment_check_in,
    appointment_complete,
)
from consultations.catalog.models import Area
from consultations.intake import forms as intake_forms
from consultations.intake.models import Intake
from consultations.intake.services import intake_open_draft
from consultations.review.services import review_claim
from tests.booking.conftest import at, clinic  # noqa: F401 (fixture)
from tests.conftest import HttpsClient
from tests.review.conftest import CLEAN, decide, submit_case

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=20,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- What is typed ----------------------------------------------------------------------------

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "0",
        "-1",
        "1e309",
        "NaN",
        "9" * 40,
        "2026-02-30",
        "0001-01-01",
        "9999-12-31",
        "1900-01-01T00:00:00+25:00",
        "on",
        "yes",
        "None",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "\u202e\u0301\ufeff",
        "Nguyễn Thị Ánh",
        "x" * 5_000,
        "00000000-0000-0000-0000-000000000000",
        "2026-01-01T10:00:00+00:00~00000000-0000-0000-0000-000000000000",
    ]
)
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
VALUE = st.one_of(
    NASTY,
    TEXT,
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
    st.uuids().map(str),
    st.integers(min_value=0, max_value=20_000).map(lambda n: "é" * n),
)
KEY = st.from_regex(r"[a-zA-Z0-9_\-]{1,16}", fullmatch=True)


def bodies(names: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    """Form bodies: some of the real field names and a few made-up ones, each with 0-3 values."""
    keys = st.sampled_from(names) | KEY if names else KEY
    return st.dictionaries(keys, st.lists(VALUE, max_size=3), max_size=len(names) + 3)


def query_dict(body: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in body.items():
        data.setlist(key, values)
    return data


# --- Every form class ---------------------------------------------------------------------------


def _project_modules() -> Iterator[str]:
    for module in pkgutil.walk_packages(consultations.__path__, "consultations."):
        if not any(part in module.name for part in (".migrations", ".management", ".tests")):
            yield module.name


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_form_classes() -> list[type[forms.BaseForm]]:
    for name in _project_modules():
        importlib.import_module(name)
    found = {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("consultations.")}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def _areas() -> list[Area]:
    return list(Area.objects.order_by("pk")[:3])


# Forms whose constructor needs more than the data: how the project's views build them.
FORM_FACTORIES: dict[str, Callable[[QueryDict, dict[str, Any]], forms.BaseForm]] = {
    "SkinForm": lambda data, cast: intake_forms.SkinForm(data, areas=_areas()),
    "PregnancyForm": lambda data, cast: intake_forms.PregnancyForm(
        data, intake=Intake(sex_at_birth="female")
    ),
    "DecisionForm": lambda data, cast: _form("DecisionForm")(
        data, has_block=True, today=dt.date(2026, 3, 1)
    ),
    "SlotSearchForm": lambda data, cast: _form("SlotSearchForm")(data, practitioners=[]),
    "CalendarForm": lambda data, cast: _form("CalendarForm")(data, practitioners=[], rooms=[]),
    "AccountCloseForm": lambda data, cast: _form("AccountCloseForm")(data, user=cast["patient"]),
    "EmailAuthenticationForm": lambda data, cast: _form("EmailAuthenticationForm")(
        cast["request"], data=data
    ),
    "UserEditForm": lambda data, cast: _form("UserEditForm")(data, instance=cast["patient"]),
}
# Formsets are built from the project's forms; fuzzed with their management form too.
FORMSETS = {
    "RequestFormSet": lambda data: intake_forms.RequestFormSet(data, prefix="req"),
    "PreviousFormSet": lambda data: intake_forms.PreviousFormSet(data, prefix="prev"),
}


def _form(name: str) -> type[forms.BaseForm]:
    (cls,) = [c for c in project_form_classes() if c.__name__ == name]
    return cls


def _needs_arguments(cls: type) -> bool:
    parameters = inspect.signature(cls.__init__).parameters.values()
    return (
        any(
            p.kind == p.KEYWORD_ONLY and p.default is p.empty and p.name != "self"
            for p in parameters
        )
        or cls.__name__ in FORM_FACTORIES
    )


def build_form(cls: type[forms.BaseForm], data: QueryDict, cast: dict[str, Any]):
    factory = FORM_FACTORIES.get(cls.__name__)
    return factory(data, cast) if factory else cls(data)


@pytest.fixture
def cast(patient_a) -> dict[str, Any]:
    request = RequestFactory().post("/accounts/login/", secure=True)
    return {"patient": patient_a, "request": request}


def test_every_form_can_be_fuzzed(cast):
    classes = project_form_classes()
    assert len(classes) >= 20, "the walk found the project's forms"
    for cls in classes:
        if _needs_arguments(cls):
            assert cls.__name__ in FORM_FACTORIES, (
                f"{cls.__module__}.{cls.__name__} needs arguments: add it to FORM_FACTORIES"
            )
        assert isinstance(build_form(cls, QueryDict(), cast), forms.BaseForm)


@pytest.mark.parametrize("cls", project_form_classes(), ids=lambda c: c.__name__)
def test_no_input_makes_a_form_raise(cls, cast):
    names = list(build_form(cls, QueryDict(), cast).fields)

    @FUZZ
    @given(body=bodies(names))
    def check(body: dict[str, list[str]]) -> None:
        form = build_form(cls, query_dict(body), cast)
        form.is_valid()
        str(form.errors)  # the messages render too

    check()


@pytest.mark.parametrize("name", sorted(FORMSETS))
def test_no_input_makes_a_formset_raise(name):
    prefix = FORMSETS[name](None).prefix
    fields = list(FORMSETS[name](None).form.base_fields)
    names = [f"{prefix}-{n}" for n in ("TOTAL_FORMS", "INITIAL_FORMS", "MAX_NUM_FORMS")]
    names += [f"{prefix}-{i}-{field}" for i in (0, 1) for field in [*fields, "DELETE"]]

    @FUZZ
    @given(body=bodies(names))
    def check(body: dict[str, list[str]]) -> None:
        formset = FORMSETS[name](query_dict(body))
        formset.is_valid()
        str(formset.errors), str(formset.non_form_errors())

    check()


# --- Every POST endpoint, as the user who uses it -----------------------------------------------


@pytest.fixture
def world(patient_a, patient_b, clinician, front_desk, clinic, time_machine):  # noqa: F811
    """A day at the clinic: a treatment given this morning, a booking in three days, a draft
    being changed, and a case a clinician holds. The clock stops at 11:00."""
    time_machine.move_to(at(0, 8), tick=False)
    case = submit_case(
        patient_a, requests=[("meso-vitamin", "face"), ("meso-vitamin", "neck")], **CLEAN
    )
    face = decide(case, clinician, "meso-vitamin", "face", "clear").clearance
    scalp = decide(case, clinician, "meso-vitamin", "neck", "clear").clearance
    nurse = clinic["nurse"]
    done = appointment_book(
        clearance_id=scalp.pk, starts_at=at(0, 9), practitioner_id=nurse.pk, by=front_desk
    )
    appointment_check_in(
        appointment_id=done.pk,
        by=front_desk,
        pregnancy_changed=False,
        infection_at_area=False,
        new_medications=False,
    )
    time_machine.move_to(at(0, 11), tick=False)
    appointment_complete(appointment_id=done.pk, by=nurse.user)
    coming = appointment_book(
        clearance_id=face.pk, starts_at=at(3, 10), practitioner_id=nurse.pk, by=patient_a
    )
    draft = intake_open_draft(patient=patient_a.patient)
    held = submit_case(patient_b)
    review_claim(case_id=held.pk, clinician=clinician)
    return {
        "face": face,
        "done": done,
        "coming": coming,
        "draft": draft,
        "held": held,
        "users": {
            "patient": patient_a,
            "clinician": clinician,
            "front_desk": front_desk,
            "anonymous": None,
        },
    }


def _prefixed(prefix: str, form: type[forms.BaseForm], **kwargs: Any) -> list[str]:
    return [f"{prefix}-{n}" for n in form(**kwargs).fields]


def _step(step: str) -> Callable[[dict], str]:
    return lambda w: reverse(
        "intake:step", kwargs={"public_id": w["draft"].public_id, "step": step}
    )


def _on(name: str, key: str) -> Callable[[dict], str]:
    return lambda w: reverse(name, kwargs={"public_id": w[key].public_id})


def _decision_fields(w: dict) -> list[str]:
    from consultations.review.forms import DecisionForm, request_prefix

    prefix = request_prefix("skinvive", "cheeks")
    return ["request", *(f"{prefix}-{n}" for n in DecisionForm(has_block=True).fields)]


STEP_FIELDS = {
    "treatments": [
        "req-TOTAL_FORMS",
        "req-INITIAL_FORMS",
        *(f"req-0-{n}" for n in ("treatment", "product", "area", "goal", "DELETE")),
    ],
    "about": list(intake_forms.AboutForm.base_fields),
    "allergies": list(intake_forms.AllergiesForm.base_fields),
    "medicines": list(intake_forms.MedicinesForm.base_fields),
    "conditions": list(intake_forms.ConditionsForm.base_fields),
    "pregnancy": ["pregnancy"],
    "skin": [],  # area_<pk>, filled in by the test
    "history": [
        "had_previous_treatments",
        "prev-TOTAL_FORMS",
        "prev-INITIAL_FORMS",
        *(f"prev-0-{n}" for n in ("product", "description", "area", "treated_on", "DELETE")),
    ],
    "consent": ["agree", "full_name"],
}

# (who, URL, field names): every POST a patient, a clinician or the front desk sends.
ENDPOINTS: dict[str, tuple[str, Callable[[dict], str], Callable[[dict], list[str]]]] = {
    **{
        f"intake-{step}": ("patient", _step(step), lambda w, s=step: [*STEP_FIELDS[s], "action"])
        for step in STEP_FIELDS
    },
    "intake-start": ("patient", lambda w: reverse("intake:start"), lambda w: []),
    "intake-submit": ("patient", _on("review:submit_intake", "draft"), lambda w: ["fingerprint"]),
    "register": (
        "anonymous",
        lambda w: reverse("patients:register"),
        lambda w: ["full_name", "email", "password1", "password2"],
    ),
    "login": ("anonymous", lambda w: reverse("patients:login"), lambda w: ["username", "password"]),
    "password-reset": (
        "anonymous",
        lambda w: reverse("patients:password_reset"),
        lambda w: ["email"],
    ),
    "password-reset-confirm": (
        "anonymous",
        lambda w: reverse(
            "patients:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"}
        ),
        lambda w: ["new_password1", "new_password2"],
    ),
    "account-close": (
        "patient",
        lambda w: reverse("patients:account_close"),
        lambda w: ["password", "understood"],
    ),
    "book": (
        "patient",
        lambda w: reverse("booking:book", kwargs={"clearance_public_id": w["face"].public_id}),
        lambda w: ["slot", "start", "end", "practitioner"],
    ),
    "reschedule": ("patient", _on("booking:reschedule", "coming"), lambda w: ["slot"]),
    "cancel": ("patient", _on("booking:cancel", "coming"), lambda w: ["confirm", "reason"]),
    "report-problem": (
        "patient",
        _on("booking:report_problem", "done"),
        lambda w: ["symptoms", "details"],
    ),
    "claim": ("clinician", _on("review:claim", "held"), lambda w: []),
    "release": ("clinician", _on("review:release", "held"), lambda w: []),
    "decide": ("clinician", _on("review:decide", "held"), _decision_fields),
    "resolve": ("clinician", _on("review:resolve", "held"), lambda w: ["resolution"]),
    "complete": ("clinician", _on("booking:complete", "coming"), lambda w: []),
    "check-in": (
        "front_desk",
        _on("booking:check_in", "coming"),
        lambda w: [
            "pregnancy_changed",
            "infection_at_area",
            "new_medications",
            "new_medications_detail",
        ],
    ),
    "no-show": ("front_desk", _on("booking:no_show", "coming"), lambda w: ["next"]),
    "release-hold": ("front_desk", _on("booking:release_hold", "coming"), lambda w: ["clearance"]),
    "desk-notes-seen": (
        "front_desk",
        lambda w: reverse("review:desk_notes_seen"),
        lambda w: ["note"],
    ),
}


def logged_in(user) -> HttpsClient:
    """A browser logged in as `user` (for staff, with the second factor passed)."""
    client = HttpsClient(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@override_settings(SCREENING_API_RATE="10000/m")
def test_no_post_body_makes_an_endpoint_fail(endpoint, world):
    who, url_of, names_of = ENDPOINTS[endpoint]
    url, names = url_of(world), names_of(world)
    if endpoint == "intake-skin":
        names = [f"area_{a.pk}" for a in _areas()]
    client = logged_in(world["users"][who])
    assert client.post(url, {}).status_code < 500

    @FUZZ
    @given(body=bodies(names))
    def check(body: dict[str, list[str]]) -> None:
        response = client.post(url, body)
        assert response.status_code < 500, (endpoint, body)

    check()


@pytest.mark.parametrize(
    ("who", "name", "names"),
    [
        ("clinician", "review:queue", ["severity", "treatment", "waited", "mine", "after"]),
        ("front_desk", "booking:desk", ["q"]),
        ("front_desk", "booking:calendar", ["date", "view", "by", "practitioner", "room"]),
    ],
)
def test_no_query_string_makes_a_search_page_fail(who, name, names, world):
    client = logged_in(world["users"][who])
    url = reverse(name)

    @FUZZ
    @given(body=bodies(names))
    def check(body: dict[str, list[str]]) -> None:
        assert client.get(url, body).status_code < 500, body

    check()


@override_settings(SCREENING_API_RATE="10000/m")
@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=500),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | TEXT | NASTY,
            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
            max_leaves=20,
        ).map(lambda v: __import__("json").dumps(v).encode()),
    )
)
def test_no_body_makes_the_screening_api_fail(body, db):
    client = HttpsClient(raise_request_exception=False)
    response = client.post(reverse("screening:api"), body, content_type="application/json")
    assert response.status_code < 500, body


# --- Uploads and body size ----------------------------------------------------------------------


def test_the_project_accepts_no_file_uploads():
    root = django_settings.BASE_DIR / "consultations"
    sources = "\n".join(p.read_text() for p in root.rglob("*.py") if "migrations" not in p.parts)
    for needle in ("FileField", "ImageField", "request.FILES"):
        assert needle not in sources, f"{needle}: an upload needs a size and type limit first"


def test_body_limits_are_set_explicitly():
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 1_048_576
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 1_048_576
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1_000


def test_an_oversized_body_is_refused(client):
    too_big = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    client.raise_request_exception = False
    response = client.post(
        reverse("patients:login"),
        f"username={too_big}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    api = client.post(reverse("screening:api"), too_big, content_type="application/json")
    assert api.status_code == 413
