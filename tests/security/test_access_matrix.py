"""The access-control matrix (issue 6): every URL of the project, every role, the answer expected.

The URL resolver is walked for every pattern the project serves, so a URL added without a row
in MATRIX fails `test_every_url_of_the_project_has_a_row_in_the_matrix`. Each row says how to
build the URL from real objects (patient A's intake, case, clearance, appointment...) and what
each role gets: anonymous, patient A (the owner), patient B, a clinician, the front desk and an
admin. Patient B asking for patient A's records gets 404 (ids do not reveal existence); the
mirror test asks the same of patient A for patient B's records. Pages the front desk and the
admin may open are read for patient A's medical history (allergy and medicine texts, flag
codes, the clinician's note): none of it may appear. No request may answer 500.

Staff log in through `login_as`, which also marks the session as verified by a second factor
when django-otp is installed, so the matrix holds with and without the 2FA requirement.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin as django_admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from consultations.booking.services import appointment_book
from consultations.intake import services as intake_services
from consultations.patients.backends import AUTH_BACKEND
from consultations.patients.models import User
from consultations.review.models import FrontDeskNote
from consultations.review.services import review_intake_submit
from tests.booking.conftest import at, clinic  # noqa: F401 (fixture)
from tests.conftest import HttpsClient
from tests.intake.conftest import fill, request_answer, sign
from tests.review.conftest import CLEAN, decide

ROLES = ("anonymous", "patient_a", "patient_b", "clinician", "front_desk", "admin")
MODEL_BACKEND = AUTH_BACKEND

# What patient A told the clinic and what the clinic wrote about it: never for the desk's eyes.
ALLERGY_TEXT = "xylocaine - throat swelling at the dentist"  # tests/intake/conftest.py ANSWERS
MEDICINES_TEXT = "Eliquis 5mg, fish oil"
CLINICAL_NOTE = "Matrix: anticoagulant discussed, bruising expected"  # + the patient's name

# --- Outcomes --------------------------------------------------------------------------------

OK = 200
REDIRECT = 302  # a redirect elsewhere than the login or the second-factor pages
BAD = 400  # a form refused, page shown again
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
LOGIN = "login"  # 302 to the login page, with ?next=
TO_VERIFY = "302 to patients:second_factor_verify"  # the second-factor code page


# --- Logging in ------------------------------------------------------------------------------


def login_as(client: Client, user: User | None) -> Client:
    """Log the user in; staff are also verified by a second factor when django-otp is here.

    The one place to adapt if the second factor changes: django-otp's own `user_logged_in`
    handler (`django_otp.login`) keeps a device set as `user.otp_device` in the session.
    """
    if user is None:
        return client
    needs_second_factor = getattr(user, "needs_second_factor", user.is_staff)
    if needs_second_factor and apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="Access matrix", defaults={"confirmed": True}
        )
        user.otp_device = device
    client.force_login(user, backend=MODEL_BACKEND)
    return client


# --- The objects every row is built from ------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    # Per owner ("a", "b"): the objects of that patient, by the names the rows use.
    objects: dict[str, dict[str, Any]]
    # Per owner: strings that must never reach anyone else (the other patient, the desk).
    identity: dict[str, list[str]] = field(default_factory=dict)
    medical: dict[str, list[str]] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, role: str, *, fresh: bool = False) -> Client:
        """The role's logged-in browser, shared by the rows (a fresh one for logging out)."""
        if fresh:
            return login_as(HttpsClient(), self.users[role])
        if role not in self.clients:
            self.clients[role] = login_as(HttpsClient(), self.users[role])
        return self.clients[role]


def _patient_records(user: User, clinician: User, nurse: Any, hour: int, **answers: Any) -> dict:
    # As tests/review/conftest.py's submit_case, but signed in the patient's own name.
    first = intake_services.intake_open_draft(patient=user.patient)
    fill(first, requests=[request_answer("meso-vitamin", "face")], **answers)
    sign(first, name=user.full_name)
    case = review_intake_submit(intake_id=first.pk)
    note = f"{CLINICAL_NOTE} for {user.full_name}"
    decision = decide(case, clinician, "meso-vitamin", "face", "clear", note=note)
    appointment = appointment_book(
        clearance_id=decision.clearance.pk,
        starts_at=at(3, hour),
        practitioner_id=nurse.pk,
        by=user,
    )
    desk_note = FrontDeskNote.objects.create(
        patient=user.patient,
        reason=FrontDeskNote.Reason.CLEARANCE_REVOKED,
        text=f"Matrix note about {user.full_name}'s booking",
    )
    submitted = case.intake
    # A second version in progress, prefilled from the first: the wizard's pages for drafts.
    draft = intake_services.intake_open_draft(patient=user.patient)
    return {
        "user": user,
        "patient": user.patient,
        "intake": submitted,
        "draft": draft,
        "case": case,
        "decision": decision,
        "clearance": decision.clearance,
        "appointment": appointment,
        "note": desk_note,
        "clinical_note": note,
        "day": appointment.local_date.isoformat(),
        "name": user.full_name.split()[0],
        "flags": [f["code"] for r in case.screening.result["requests"] for f in r["flags"]],
    }


def build_world(users: dict[str, User | None], nurse: Any) -> World:
    clinician = users["clinician"]
    a = _patient_records(users["patient_a"], clinician, nurse, hour=10)
    b = _patient_records(users["patient_b"], clinician, nurse, hour=12, **CLEAN)
    world = World(users=users, objects={"a": a, "b": b})
    for owner, records in world.objects.items():
        world.identity[owner] = [
            records["user"].full_name,
            records["user"].email,
            str(records["intake"].public_id),
            str(records["draft"].public_id),
            str(records["case"].public_id),
            str(records["clearance"].public_id),
            str(records["appointment"].public_id),
        ]
    assert a["flags"], "patient A's answers should raise flags for the desk check to mean much"
    world.medical["a"] = [ALLERGY_TEXT, MEDICINES_TEXT, a["clinical_note"], *a["flags"]]
    world.medical["b"] = [b["clinical_note"]]
    return world


# --- Rows ------------------------------------------------------------------------------------

GET, POST = "GET", "POST"
URL_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Row:
    """One URL name and method, how to build it, and the answer each role gets.

    `spec` builds the URL from an owner's records (`_patient_records`), in words separated by
    spaces: an object's name fills every <uuid:...> argument with its public id
    ("appointment"), `key=value` fills another argument ("step=allergies"), and "?..." is a
    query string formatted with the records ("?date={day}").
    """

    name: str
    method: str
    spec: str
    expected: dict[str, int | str]

    @property
    def uses_objects(self) -> bool:
        return any(word and word[0] != "?" and "=" not in word for word in self.spec.split())

    def build(self, world: World, owner: str = "a") -> str:
        records = world.objects[owner]
        kwargs: dict[str, object] = {}
        query = ""
        for word in self.spec.split():
            if word.startswith("?"):
                query = word.format(**records)
            elif "=" in word:
                key, _sep, value = word.partition("=")
                kwargs[key] = value
            else:
                pattern = url_patterns()[self.name]
                for argument in URL_ARGUMENT.finditer(pattern):
                    if argument["converter"] == "uuid":
                        kwargs[argument["name"]] = records[word].public_id
        return reverse(self.name, kwargs=kwargs or None) + query


def row(name: str, method: str, spec: str, *outcomes: int | str) -> Row:
    assert len(outcomes) == len(ROLES), f"{name}: one outcome per role {ROLES}"
    return Row(name, method, spec, dict(zip(ROLES, outcomes, strict=True)))


B, L, R, F, N, X, V = BAD, LOGIN, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, TO_VERIFY
RESET = "uidb64=MQ token=not-a-token"

# One row per URL name and method. Objects are patient A's; patient B asks for them too.
# OK 200, R 302 elsewhere, L 302 to log in, V 302 to the second-factor code page,
# B 400 (form refused), F 403, N 404, X 405.
# fmt: off
MATRIX: list[Row] = [row(*r) for r in [
    # URL name                           method spec                     anon A  B   clin desk admin
    # -- public pages, logging in, the second factor (staff here are verified: see login_as) --
    ("home",                              GET,  "",                       OK, R,  R,  OK, OK, OK),
    ("livez",                             GET,  "",                       OK, OK, OK, OK, OK, OK),
    ("readyz",                            GET,  "",                       OK, OK, OK, OK, OK, OK),
    ("healthz",                           GET,  "",                       OK, OK, OK, OK, OK, OK),
    ("set_language",                      GET,  "",                       R,  R,  R,  R,  R,  R),
    ("set_language",                      POST, "",                       R,  R,  R,  R,  R,  R),
    ("patients:register",                 GET,  "",                       OK, R,  R,  R,  R,  R),
    ("patients:login",                    GET,  "",                       OK, R,  R,  R,  R,  R),
    ("patients:logout",                   GET,  "",                       X,  X,  X,  X,  X,  X),
    ("patients:logout",                   POST, "",                       R,  R,  R,  R,  R,  R),
    ("patients:second_factor_verify",     GET,  "",                       N,  N,  N,  R,  R,  R),
    ("patients:second_factor_verify",     POST, "",                       N,  N,  N,  R,  R,  R),
    ("patients:second_factor_setup",      GET,  "",                       N,  N,  N,  V,  V,  V),
    ("patients:second_factor_setup",      POST, "",                       N,  N,  N,  V,  V,  V),
    ("patients:second_factor_qr",         GET,  "",                       N,  N,  N,  N,  N,  N),
    ("patients:recovery_codes",           GET,  "",                       N,  N,  N,  OK, OK, OK),
    ("patients:recovery_codes",           POST, "",                       N,  N,  N,  R,  R,  R),
    ("patients:password_change",          GET,  "",                       L,  OK, OK, OK, OK, OK),
    ("patients:password_reset",           GET,  "",                       OK, OK, OK, OK, OK, OK),
    ("patients:password_reset_done",      GET,  "",                       OK, OK, OK, OK, OK, OK),
    ("patients:password_reset_confirm",   GET,  RESET,                    OK, OK, OK, OK, OK, OK),
    ("patients:password_reset_complete",  GET,  "",                       OK, OK, OK, OK, OK, OK),
    ("catalog:index",                     GET,  "",                       OK, OK, OK, OK, OK, OK),
    ("catalog:treatment",                 GET,  "code=mesotherapy",       OK, OK, OK, OK, OK, OK),
    ("catalog:product",                   GET,  "code=meso-vitamin",      OK, OK, OK, OK, OK, OK),
    ("screening:api",                     GET,  "",                       X,  X,  X,  X,  X,  X),
    ("screening:api",                     POST, "",                       B,  B,  B,  B,  B,  B),
    # -- a patient's rights over their data: their own only; staff have none ------------------
    ("patients:my_data",                  GET,  "",                       L,  OK, OK, F,  F,  F),
    ("patients:my_data_download",         GET,  "",                       L,  OK, OK, F,  F,  F),
    ("patients:account_close",            GET,  "",                       L,  OK, OK, F,  F,  F),
    ("patients:account_closed",           GET,  "",                       OK, OK, OK, OK, OK, OK),
    # -- the intake: the owner only (clinicians read it through review:case) ------------------
    ("intake:home",                       GET,  "",                       L,  OK, OK, N,  N,  N),
    ("intake:start",                      GET,  "",                       L,  X,  X,  X,  X,  X),
    ("intake:start",                      POST, "",                       L,  R,  R,  N,  N,  N),
    ("intake:detail",                     GET,  "intake",                 L,  OK, N,  N,  N,  N),
    ("intake:review",                     GET,  "draft",                  L,  OK, N,  N,  N,  N),
    ("intake:step",                       GET,  "draft step=allergies",   L,  OK, N,  N,  N,  N),
    ("intake:step",                       POST, "draft step=medicines",   L,  OK, N,  N,  N,  N),
    ("review:submit_intake",              GET,  "intake",                 L,  X,  X,  X,  X,  X),
    ("review:submit_intake",              POST, "intake",                 L,  R,  N,  N,  N,  N),
    # -- the review: clinicians only ------------------------------------------------------------
    ("review:queue",                      GET,  "",                       L,  F,  F,  OK, F,  F),
    ("review:case",                       GET,  "case",                   L,  F,  F,  OK, F,  F),
    ("review:claim",                      GET,  "case",                   X,  X,  X,  X,  X,  X),
    ("review:claim",                      POST, "case",                   L,  F,  F,  R,  F,  F),
    ("review:release",                    GET,  "case",                   X,  X,  X,  X,  X,  X),
    ("review:release",                    POST, "case",                   L,  F,  F,  R,  F,  F),
    ("review:decide",                     GET,  "case",                   L,  X,  X,  X,  X,  X),
    ("review:decide",                     POST, "case",                   L,  F,  F,  B,  F,  F),
    ("review:resolve",                    GET,  "case",                   L,  X,  X,  X,  X,  X),
    ("review:resolve",                    POST, "case",                   L,  F,  F,  B,  F,  F),
    # -- notes to the front desk (no medical detail) ---------------------------------------------
    ("review:desk_notes",                 GET,  "",                       L,  F,  F,  F,  OK, OK),
    ("review:desk_notes_seen",            GET,  "",                       L,  X,  X,  X,  X,  X),
    ("review:desk_notes_seen",            POST, "",                       L,  F,  F,  F,  R,  R),
    # -- booking: the patient's own; the desk (and the admin) for any patient --------------------
    ("booking:mine",                      GET,  "",                       L,  OK, OK, N,  N,  N),
    ("booking:book",                      GET,  "clearance",              L,  OK, N,  N,  OK, OK),
    ("booking:book",                      POST, "clearance",              L,  OK, N,  N,  OK, OK),
    ("booking:appointment",               GET,  "appointment",            L,  OK, N,  N,  OK, OK),
    ("booking:ics",                       GET,  "appointment",            L,  OK, N,  N,  OK, OK),
    ("booking:reschedule",                GET,  "appointment",            L,  X,  X,  X,  X,  X),
    ("booking:reschedule",                POST, "appointment",            L,  B,  N,  N,  B,  B),
    ("booking:cancel",                    GET,  "appointment",            L,  X,  X,  X,  X,  X),
    ("booking:cancel",                    POST, "appointment",            L,  B,  N,  N,  B,  B),
    ("booking:report_problem",            GET,  "appointment",            L,  OK, N,  N,  N,  N),
    ("booking:report_problem",            POST, "appointment",            L,  B,  N,  N,  N,  N),
    ("booking:check_in",                  GET,  "appointment",            L,  OK, N,  F,  OK, OK),
    ("booking:check_in",                  POST, "appointment",            L,  OK, N,  F,  OK, OK),
    # -- the front desk's own pages and actions ----------------------------------------------------
    ("booking:desk",                      GET,  "?q={name}",              L,  F,  F,  F,  OK, OK),
    ("booking:desk_patient",              GET,  "patient",                L,  F,  F,  F,  OK, OK),
    ("booking:calendar",                  GET,  "?date={day}",            L,  F,  F,  F,  OK, OK),
    ("booking:no_show",                   GET,  "appointment",            L,  X,  X,  X,  X,  X),
    ("booking:no_show",                   POST, "appointment",            L,  F,  F,  F,  R,  R),
    ("booking:release_hold",              GET,  "appointment",            L,  X,  X,  X,  X,  X),
    ("booking:release_hold",              POST, "appointment",            L,  F,  F,  F,  R,  R),
    # -- the clinician's day ---------------------------------------------------------------------
    ("booking:my_day",                    GET,  "",                       L,  F,  F,  OK, F,  F),
    ("booking:complete",                  GET,  "appointment",            L,  X,  X,  X,  X,  X),
    ("booking:complete",                  POST, "appointment",            L,  F,  F,  R,  F,  F),
]]
# fmt: on

# Django's admin is tested on its own (test_admin_*); its internal URLs are not rows.
EXCLUDED_PREFIXES = ("admin:",)


# --- The URL resolver ------------------------------------------------------------------------


def project_urls(
    resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """Every URL pattern the project serves, as (namespaced name, full pattern).

    A pattern without a name is returned as "<namespace:><unnamed pattern>", which no row can
    match (within the admin it starts with "admin:", like the admin's named URLs).
    """
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from project_urls(entry, inner, pattern)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name or f'<unnamed {pattern}>'}", pattern)


@cache
def url_patterns() -> dict[str, str]:
    return dict(project_urls())


def _served_by_static_or_media(pattern: str) -> bool:
    roots = [u.lstrip("/") for u in (settings.STATIC_URL, settings.MEDIA_URL) if u]
    return any(root and pattern.lstrip("^/").startswith(root) for root in roots)


def matrix_names_expected() -> set[str]:
    return {
        name
        for name, pattern in project_urls()
        if not name.startswith(EXCLUDED_PREFIXES) and not _served_by_static_or_media(pattern)
    }


# --- Asking ----------------------------------------------------------------------------------

# Where a logged-in member of staff is sent when the second factor is missing: never an answer.
DETOURS = frozenset({"patients:second_factor_verify", "patients:second_factor_setup"})


def _redirect_target(response: Any) -> str | None:
    location = response.headers.get("Location", "")
    path = location.split("?")[0]
    if path.startswith("http"):
        path = "/" + path.split("/", 3)[-1]
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def outcome(response: Any) -> int | str:
    """The response as the matrix writes it: a status, or LOGIN for a redirect to log in."""
    if response.status_code == 302:
        target = _redirect_target(response)
        if target == "patients:login":
            return LOGIN
        if target in DETOURS:
            return f"302 to {target}"
    return response.status_code


# Rows whose request ends the session: asked in a browser of their own.
SESSION_ENDING = frozenset({("patients:logout", POST)})


def ask(world: World, row: Row, role: str, owner: str = "a") -> Any:
    client = world.client(role, fresh=(row.name, row.method) in SESSION_ENDING)
    url = row.build(world, owner)
    return client.get(url) if row.method == GET else client.post(url, {})


def leaks(world: World, role: str, body: str) -> list[str]:
    """Strings of someone else's records found in a page shown to `role`."""
    forbidden: list[str] = []
    if role == "patient_a":
        forbidden += world.identity["b"] + world.medical["b"]
    elif role == "patient_b":
        forbidden += world.identity["a"] + world.medical["a"]
    elif role in {"front_desk", "admin"}:
        forbidden += world.medical["a"]
    return [text for text in forbidden if _contains(body, text)]


def _contains(body: str, text: str) -> bool:
    if re.fullmatch(r"[A-Z][A-Z0-9-]+", text):  # a flag code: as a word, not inside another
        return re.search(rf"(?<![A-Za-z0-9-]){re.escape(text)}(?![A-Za-z0-9-])", body) is not None
    return text.lower() in body.lower()


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


# --- The tests -------------------------------------------------------------------------------


@pytest.fixture
def world(
    patient_a: User,
    patient_b: User,
    clinician: User,
    front_desk: User,
    admin_user: User,
    clinic: dict,  # noqa: F811 (fixture)
) -> World:
    users = {
        "anonymous": None,
        "patient_a": patient_a,
        "patient_b": patient_b,
        "clinician": clinician,
        "front_desk": front_desk,
        "admin": admin_user,
    }
    return build_world(users, clinic["nurse"])


def test_every_url_of_the_project_has_a_row_in_the_matrix() -> None:
    served = matrix_names_expected()
    in_matrix = {r.name for r in MATRIX}
    assert served - in_matrix == set(), "URLs without a row in MATRIX (add one)"
    assert in_matrix - served == set(), "rows in MATRIX for URLs the project no longer serves"


def test_the_matrix_enumerates_the_urls_it_needs() -> None:
    # The walk itself: namespaced names, included URLconfs, and the admin left out.
    names = dict(project_urls())
    assert names["intake:step"] == "intake/<uuid:public_id>/<slug:step>/"
    assert names["set_language"] == "i18n/setlang/"
    assert "admin:index" in names
    assert not any(n.startswith("admin:") for n in matrix_names_expected())


@pytest.mark.django_db
def test_every_url_answers_every_role_as_the_matrix_says(world: World) -> None:
    wrong: list[str] = []
    for r in MATRIX:
        for role in ROLES:
            response = ask(world, r, role)
            got = outcome(response)
            if got != r.expected[role]:
                wrong.append(
                    f"{r.method} {r.name} as {role}: expected {r.expected[role]}, got {got}"
                )
            elif got == OK and (found := leaks(world, role, _body(response))):
                wrong.append(f"{r.method} {r.name} as {role}: shows {found}")
    assert wrong == [], "\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_patient_a_gets_nothing_of_patient_bs_records_either(world: World) -> None:
    # The mirror of the matrix's patient B column: every row built on a patient's object.
    wrong: list[str] = []
    for r in MATRIX:
        if not r.uses_objects:
            continue
        expected = r.expected["patient_b"]
        got = outcome(ask(world, r, "patient_a", owner="b"))
        if got != expected:
            wrong.append(f"{r.method} {r.name} on B's record as A: expected {expected}, got {got}")
    assert wrong == [], "\n" + "\n".join(wrong)


def test_object_rows_refuse_the_other_patient_with_404() -> None:
    # Ids must not reveal existence: another patient's record is "not found", never "forbidden".
    for r in MATRIX:
        if r.uses_objects and r.expected["patient_a"] != LOGIN:
            assert r.expected["patient_b"] in {NOT_FOUND, NOT_ALLOWED, FORBIDDEN}, r
            if r.expected["patient_a"] in {OK, BAD, REDIRECT}:
                assert r.expected["patient_b"] == NOT_FOUND, r


@pytest.mark.django_db
def test_front_desk_cannot_open_medical_history(world: World) -> None:
    desk = login_as(HttpsClient(), world.users["front_desk"])
    a = world.objects["a"]
    medical_pages = [
        reverse("intake:detail", kwargs={"public_id": a["intake"].public_id}),
        reverse("intake:review", kwargs={"public_id": a["draft"].public_id}),
        reverse("intake:step", kwargs={"public_id": a["draft"].public_id, "step": "allergies"}),
        reverse("intake:step", kwargs={"public_id": a["draft"].public_id, "step": "medicines"}),
        reverse("review:case", kwargs={"public_id": a["case"].public_id}),
        reverse("review:queue"),
    ]
    for url in medical_pages:
        assert desk.get(url).status_code in {403, 404}, url


@pytest.mark.django_db
def test_desk_pages_show_none_of_patient_as_medical_history(world: World) -> None:
    # The matrix checks every page the desk may open; this names the ones that matter most.
    desk = login_as(HttpsClient(), world.users["front_desk"])
    a = world.objects["a"]
    pages = [
        reverse("booking:desk") + f"?q={a['name']}",
        reverse("booking:desk_patient", kwargs={"public_id": a["patient"].public_id}),
        reverse("booking:appointment", kwargs={"public_id": a["appointment"].public_id}),
        reverse("booking:check_in", kwargs={"public_id": a["appointment"].public_id}),
        reverse("booking:book", kwargs={"clearance_public_id": a["clearance"].public_id}),
        reverse("booking:calendar") + f"?date={a['day']}&view=week",
        reverse("review:desk_notes"),
    ]
    for url in pages:
        response = desk.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        # The pages are about patient A (else the check would prove nothing)...
        assert a["user"].full_name in body or str(a["note"].text) in body, url
        # ...and carry none of what A told the clinic or what the clinician wrote.
        assert leaks(world, "front_desk", body) == [], url


@pytest.mark.django_db
def test_admin_index_and_a_changelist_are_for_admins_only(world: World) -> None:
    index = reverse("admin:index")
    rooms = reverse("admin:booking_room_changelist")
    for role in ROLES:
        client = login_as(HttpsClient(), world.users[role])
        for url in (index, rooms):
            response = client.get(url)
            if role == "admin":
                assert response.status_code == 200, (role, url)
            else:
                # Not staff: Django's admin sends them to its own login page.
                assert response.status_code == 302, (role, url)
                assert response.headers["Location"].startswith(reverse("admin:login")), (role, url)


@pytest.mark.django_db
def test_the_admin_holds_no_intake_answers_or_check_ins(world: World) -> None:
    # Medical answers have no admin page; the check-in answers' page is closed to the admin.
    admin = login_as(HttpsClient(), world.users["admin"])
    names = {name for name, _pattern in project_urls()}
    assert not any(n.startswith("admin:intake_") for n in names)
    response = admin.get(reverse("admin:booking_checkin_changelist"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_pages_show_no_medical_history(world: World) -> None:
    # Every admin list and change page the admin role can open, read for patient A's answers.
    admin = world.client("admin")
    shown: list[str] = []
    for model in django_admin.site._registry:
        meta = model._meta
        pages = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
        pages += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            for obj in model._default_manager.all()[:20]
        ]
        for url in pages:
            response = admin.get(url)
            if response.status_code == 200 and (found := leaks(world, "admin", _body(response))):
                shown.append(f"{url}: {found}")
            assert response.status_code in {200, 302, 403}, url
    assert shown == [], "\n" + "\n".join(shown)
