"""The public catalog pages: what each treatment and product is, in the patient's words.

The product page answers the seed article's "smart questions" one by one, so a
patient can check them before agreeing to an injection. The pages are public.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from clinic.db_router import read_replica
from consultations.catalog.intervals import IntervalUnit
from consultations.catalog.models import Product, RegulatoryStatus
from consultations.catalog.selectors import (
    products_with_facts,
    treatments_offered,
    treatments_with_offered_products,
)


def session_spacing(product: Product) -> str:
    """'2 weeks', '1 month': the unit's label alone would say '1 months'."""
    count = product.min_interval_count
    match product.min_interval_unit:
        case IntervalUnit.DAY:
            phrase = ngettext("%(count)d day", "%(count)d days", count)
        case IntervalUnit.WEEK:
            phrase = ngettext("%(count)d week", "%(count)d weeks", count)
        case IntervalUnit.MONTH:
            phrase = ngettext("%(count)d month", "%(count)d months", count)
        case _:
            return f"{count} {product.get_min_interval_unit_display()}"
    return phrase % {"count": count}


@require_safe
@read_replica
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/index.html", {"treatments": treatments_offered()})


@require_safe
@read_replica
def treatment(request: HttpRequest, code: str) -> HttpResponse:
    treatment = get_object_or_404(treatments_with_offered_products(), code=code)
    return render(request, "catalog/treatment.html", {"treatment": treatment})


@require_safe
@read_replica
def product(request: HttpRequest, code: str) -> HttpResponse:
    product = get_object_or_404(products_with_facts(), code=code)
    product_areas = list(product.product_areas.all())
    return render(
        request,
        "catalog/product.html",
        {
            "product": product,
            "treatment": product.treatment,
            "ingredients": list(product.ingredients.all()),
            "product_areas": product_areas,
            "approved_areas": [
                pa.area for pa in product_areas if pa.status == RegulatoryStatus.APPROVED
            ],
            "session_spacing": session_spacing(product),
        },
    )
