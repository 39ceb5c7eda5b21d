"""Drive the intake wizard over HTTP, the way a browser does.

A step page is fetched, its hidden `fingerprint` read, and the answers posted
with it and the button's `action`. `form_values` reads back what the page's
form would send (typed text, ticked boxes, chosen options), so a test can
assert that nothing the patient typed was lost.
"""

import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from consultations.catalog.models import Area, Product, Treatment
from consultations.intake.models import Intake
from consultations.intake.steps import STEPS, applicable_steps

FULL_NAME = "Anna Nguyen"
PHONE = "+84 90 123 4567"  # as typed
PHONE_STORED = "+84901234567"  # E.164, as kept
PHONE_SHOWN = "0901 234 567"  # as the form shows it again (the clinic is in Vietnam)
# Every step a patient answers, in the wizard's order (the check page is not one).
STEP_ORDER = tuple(s.code for s in STEPS if s.code != "review")


def step_url(intake: Intake, step: str) -> str:
    return reverse("intake:step", kwargs={"public_id": intake.public_id, "step": step})


def review_url(intake: Intake) -> str:
    return reverse("intake:review", kwargs={"public_id": intake.public_id})


def detail_url(intake: Intake) -> str:
    return reverse("intake:detail", kwargs={"public_id": intake.public_id})


def submit_url(intake: Intake) -> str:
    return reverse("review:submit_intake", kwargs={"public_id": intake.public_id})


# The catalog is seeded by a migration, so these rows exist in every test database.
def skinvive() -> Product:
    return Product.objects.get(code="skinvive")


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def treatment(code: str) -> Treatment:
    return Treatment.objects.get(code=code)


def formset_data(
    prefix: str, rows: Sequence[Mapping[str, Any]], *, initial: int | None = None
) -> dict[str, Any]:
    """A formset's POST: its management form and one `prefix-n-field` key per row field.

    Without `initial`, `post_step` sends the INITIAL_FORMS of the page the rows were
    typed on, as a browser does.
    """
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    if initial is not None:
        data[f"{prefix}-INITIAL_FORMS"] = str(initial)
    for n, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{n}-{name}"] = "" if value is None else value
    return data


def request_row(
    treatment_code: str = "skin_booster",
    product_code: str | None = "skinvive",
    area_code: str = "cheeks",
    goal: str = "hydration",
    **extra: Any,
) -> dict[str, Any]:
    """One row of the treatments formset, by catalog codes."""
    product = Product.objects.get(code=product_code).pk if product_code else ""
    return {
        "treatment": treatment(treatment_code).pk,
        "product": product,
        "area": area(area_code).pk,
        "goal": goal,
        **extra,
    }


def treatments_data(*rows: Mapping[str, Any], initial: int | None = None) -> dict[str, Any]:
    return formset_data("req", rows or [request_row()], initial=initial)


def previous_row(
    *,
    product_code: str | None = None,
    description: str = "",
    area_code: str = "cheeks",
    treated_on: str = "2026-01-10",
) -> dict[str, Any]:
    product = Product.objects.get(code=product_code).pk if product_code else ""
    return {
        "product": product,
        "description": description,
        "area": area(area_code).pk,
        "treated_on": treated_on,
    }


def history_data(had_previous: str = "no", rows: Sequence[Mapping[str, Any]] = ()) -> dict:
    return {"had_previous_treatments": had_previous, **formset_data("prev", rows)}


def skin_data(**findings_by_area: Sequence[str]) -> dict[str, Any]:
    """`skin_data(cheeks=["clear"])`: the skin step's field for each area, by area code."""
    return {f"area_{area(code).pk}": list(values) for code, values in findings_by_area.items()}


def valid_answers(step: str) -> dict[str, Any]:
    """What a realistic patient answers: 36, female, SKINVIVE in the cheeks, nothing to report."""
    answers: dict[str, dict[str, Any]] = {
        "treatments": treatments_data(),
        "about": {"date_of_birth": "1990-04-01", "sex_at_birth": "female", "phone": PHONE},
        "allergies": {"has_allergies": "no", "anaphylaxis_history": "no"},
        "medicines": {
            "takes_medications": "no",
            "isotretinoin": "never",
            "recent_illness_or_vaccination": "no",
        },
        "conditions": {"conditions": ["none"], "conditions_other": ""},
        "pregnancy": {"pregnancy": "no"},
        "skin": skin_data(cheeks=["clear"]),
        "history": history_data("no"),
        "consent": {"agree": "on", "full_name": FULL_NAME},
    }
    return answers[step]


class _FormReader(HTMLParser):
    """Collects, per <form>, the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: tuple[str, bool] | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: tuple[str | None, bool] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str | None, value: str) -> None:
        if self._form is not None and name:
            self._form.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self._add(a.get("name"), a.get("value") if a.get("value") is not None else default)
        elif tag == "select":
            self._select = (a.get("name") or "", "multiple" in a)
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._text = []
        elif tag == "textarea":
            self._textarea = a.get("name") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._option is not None or self._textarea is not None:
            self._text.append(data)

    def _close_option(self) -> None:
        if self._option is None or self._select is None:
            return
        value, selected = self._option
        if value is None:
            value = "".join(self._text).strip()
        if self._select_first is None:
            self._select_first = value
        if selected:
            self._select_chosen = True
            self._add(self._select[0], value)
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            name, multiple = self._select
            if not self._select_chosen and not multiple and self._select_first is not None:
                self._add(name, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_values(response: HttpResponse, *, having: str = "fingerprint") -> dict[str, list[str]]:
    """What the page's form would send, field by field.

    The form is the first one with a field named `having`: by default the step's
    form, which carries the hidden fingerprint (the page also has the language
    and log-out forms).
    """
    reader = _FormReader()
    reader.feed(response.content.decode())
    for form in reader.forms:
        if having in form:
            return form
    raise AssertionError(f"The page has no form with a {having!r} field.")


def fingerprint_of(response: HttpResponse) -> str:
    return form_values(response)["fingerprint"][0]


def post_step(
    client: Client,
    intake: Intake,
    step: str,
    data: Mapping[str, Any],
    *,
    page: HttpResponse,
    action: str = "next",
) -> HttpResponse:
    """Send `data` from `page` (the step as the patient opened it): its fingerprint, its rows."""
    shown = form_values(page)
    sent = {**data, "fingerprint": shown["fingerprint"][0], "action": action}
    for key in data:
        if key.endswith("-TOTAL_FORMS"):
            initial = key.replace("-TOTAL_FORMS", "-INITIAL_FORMS")
            sent.setdefault(initial, shown.get(initial, ["0"])[0])
    return client.post(step_url(intake, step), sent)


def answer_step(
    client: Client, intake: Intake, step: str, data: Mapping[str, Any], *, action: str = "next"
) -> HttpResponse:
    """Open the step, as the patient would, then send `data` from that page."""
    page = client.get(step_url(intake, step))
    assert page.status_code == 200, (step, page.status_code, page.get("Location"))
    return post_step(client, intake, step, data, page=page, action=action)


def save_step(
    client: Client, intake: Intake, step: str, data: Mapping[str, Any], *, action: str = "next"
) -> HttpResponse:
    """`answer_step` for a test's setup: the answers must be accepted (a redirect)."""
    response = answer_step(client, intake, step, data, action=action)
    assert response.status_code == 302, (step, problems_on(response))
    return response


def complete_intake(
    client: Client, intake: Intake, *, sign: bool = True, **overrides: Mapping[str, Any]
) -> HttpResponse:
    """Answer every step that applies with valid answers (`overrides` replace a step's) and sign.

    Returns the last response; every step must save and move on (a redirect).
    """
    response = None
    for step in STEP_ORDER:
        if step == "consent" and not sign:
            break
        intake.refresh_from_db()
        if step not in {s.code for s in applicable_steps(intake)}:
            continue
        response = save_step(client, intake, step, overrides.get(step, valid_answers(step)))
    intake.refresh_from_db()
    assert response is not None
    return response


def problems_on(response: HttpResponse) -> list[str]:
    """The error summary and messages of a page, for assertion messages."""
    html = response.content.decode()
    found = re.findall(r'id="error-summary".*?</div>', html, re.S)
    found += re.findall(r'<div class="alert alert-(?:warning|danger|info)">(.*?)</div>', html)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip() for text in found]


def start_intake(client: Client) -> tuple[Intake, HttpResponse]:
    """Press "Start my intake" (or "Update my answers"): the patient's draft and the redirect."""
    response = client.post(reverse("intake:start"))
    assert response.status_code == 302, response.status_code
    intake = Intake.objects.drafts().get(patient__user_id=int(client.session["_auth_user_id"]))
    return intake, response
