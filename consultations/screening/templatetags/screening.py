"""What the patient sees of screening, included in the intake's own pages."""

from django import template
from django.utils.translation import gettext

from consultations.catalog.models import Area, Product
from consultations.intake.models import Intake
from consultations.screening.engine.types import Severity
from consultations.screening.services import alternatives_for, screening_preview

register = template.Library()


@register.inclusion_tag("screening/_patient_flags.html")
def screening_for_patient(intake: Intake) -> dict:
    """The stored screening's patient messages, one list per request (never a diagnosis)."""
    screening = intake.screenings.order_by("-created_at").first()
    if screening is None:
        return {"items": []}
    names = {p.code: p.translated("name") for p in Product.objects.all()}
    areas = {a.code: a.translated("name") for a in Area.objects.all()}
    items = []
    for request in screening.result["requests"]:
        # One line per distinct message: several flags can share what the patient is told.
        said = list(dict.fromkeys(gettext(f["patient_message"]) for f in request["flags"]))
        items.append(
            {
                "product": names.get(request["product"], request["product"]),
                "area": areas.get(request["area"], request["area"]),
                "outcome": request["outcome"],
                "messages": said,
            }
        )
    return {"items": items}


@register.inclusion_tag("screening/_certain_blocks.html")
def certain_blocks(intake: Intake) -> dict:
    """Before submission: which requests these answers will certainly block, and what the
    catalog offers instead for the same area that these answers do not block."""
    if not intake.requests.all():
        return {"items": []}
    result = screening_preview(intake)
    alternatives = alternatives_for(intake, result)
    products = {p.code: p for p in Product.objects.all()}
    areas = {a.code: a.translated("name") for a in Area.objects.all()}
    items = [
        {
            "product": products[r.product].translated("name"),
            "area": areas.get(r.area, r.area),
            "messages": list(
                dict.fromkeys(
                    gettext(f.patient_message) for f in r.flags if f.severity == Severity.BLOCK
                )
            ),
            "alternatives": [products[code] for code in alternatives.get((r.product, r.area), [])],
        }
        for r in result.requests
        if r.outcome == "blocked"
    ]
    return {"items": items}
