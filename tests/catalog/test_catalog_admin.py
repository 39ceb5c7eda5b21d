"""Admins keep the catalog in the admin; nobody else gets in."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.catalog.models import Area, Ingredient, Product, ProductArea, Treatment
from consultations.patients.models import User

pytestmark = pytest.mark.django_db

CATALOG_MODELS = {
    "area": (Area, "cheeks"),
    "treatment": (Treatment, "skin_booster"),
    "ingredient": (Ingredient, "lidocaine"),
    "product": (Product, "skinvive"),
}


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def changelist_url(model: str) -> str:
    return reverse(f"admin:catalog_{model}_changelist")


def change_url(model: str, code: str | None = None) -> str:
    model_class, seeded_code = CATALOG_MODELS[model]
    pk = model_class.objects.get(code=code or seeded_code).pk
    return reverse(f"admin:catalog_{model}_change", args=[pk])


def product_form_data(product: Product, **changes: object) -> dict[str, object]:
    """The product change form as the admin posts it, with the current product areas."""
    areas = list(product.product_areas.all())
    data: dict[str, object] = {
        "code": product.code,
        "name": product.name,
        "brand": product.brand,
        "brand_family": product.brand_family,
        "manufacturer": product.manufacturer,
        "treatment": product.treatment_id,
        "display_order": product.display_order,
        "ingredients": [i.pk for i in product.ingredients.all()],
        "regulatory_status": product.regulatory_status,
        "regulatory_note": product.regulatory_note,
        "min_age": product.min_age,
        "min_interval_count": product.min_interval_count,
        "min_interval_unit": product.min_interval_unit,
        "max_sessions": product.max_sessions or "",
        "evidence_summary": product.evidence_summary,
        "evidence_sources": product.evidence_sources,
        "risks": product.risks,
        "aftercare": product.aftercare,
        "product_areas-TOTAL_FORMS": len(areas),
        "product_areas-INITIAL_FORMS": len(areas),
        "product_areas-MIN_NUM_FORMS": 0,
        "product_areas-MAX_NUM_FORMS": 1000,
    }
    if product.is_active:
        data["is_active"] = "on"
    for index, product_area in enumerate(areas):
        data[f"product_areas-{index}-id"] = product_area.pk
        data[f"product_areas-{index}-product"] = product.pk
        data[f"product_areas-{index}-area"] = product_area.area_id
        data[f"product_areas-{index}-status"] = product_area.status
    data.update(changes)
    return data


@pytest.mark.parametrize("model", sorted(CATALOG_MODELS))
def test_an_admin_can_open_each_catalog_list(admin_client: Client, model: str) -> None:
    assert admin_client.get(changelist_url(model)).status_code == 200


@pytest.mark.parametrize("model", sorted(CATALOG_MODELS))
def test_an_admin_can_open_each_catalog_change_page(admin_client: Client, model: str) -> None:
    response = admin_client.get(change_url(model))
    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["clinician", "front_desk", "patient_a"])
@pytest.mark.parametrize("model", sorted(CATALOG_MODELS))
def test_anyone_but_an_admin_is_sent_to_the_admin_login(
    client: Client, request: pytest.FixtureRequest, role_fixture: str, model: str
) -> None:
    client.force_login(request.getfixturevalue(role_fixture))
    for url in (changelist_url(model), change_url(model)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_admin_login(client: Client) -> None:
    response = client.get(changelist_url("product"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_product_list_shows_status_lidocaine_age_and_interval(admin_client: Client) -> None:
    response = admin_client.get(changelist_url("product"))
    result_list = response.context["cl"]
    assert {"regulatory_status", "lidocaine", "min_age", "interval"} <= set(
        result_list.list_display
    )
    html = response.content.decode()
    assert "Unapproved; the FDA warns against it" in html
    assert "1 month" in html
    assert "4 weeks" in html


def test_the_product_list_costs_the_same_queries_however_many_products(
    admin_client: Client,
) -> None:
    url = changelist_url("product")
    # Warm: a prepared read is prepared once per connection (PREPARE, then EXECUTE), which
    # would make the first measured request one query longer than any later one.
    admin_client.get(url)
    with CaptureQueriesContext(connection) as before:
        admin_client.get(url)
    treatment = Treatment.objects.get(code="dermal_filler")
    lidocaine = Ingredient.objects.get(code="lidocaine")
    for index in range(10):
        product = Product.objects.create(
            code=f"extra-{index}",
            name=f"Extra filler {index}",
            treatment=treatment,
            regulatory_status="approved",
            evidence_summary="None.",
        )
        product.ingredients.add(lidocaine)
    with CaptureQueriesContext(connection) as after:
        response = admin_client.get(url)
    assert "Extra filler 9" in response.content.decode()
    assert len(after) == len(before)


def test_the_area_list_costs_the_same_queries_however_many_sub_areas(
    admin_client: Client,
) -> None:
    url = changelist_url("area")
    admin_client.get(url)  # warm: a prepared read is prepared once per connection
    with CaptureQueriesContext(connection) as before:
        admin_client.get(url)
    neck = Area.objects.get(code="neck")
    Area.objects.bulk_create(
        Area(code=f"neck-part-{i}", name=f"Neck part {i}", parent=neck) for i in range(10)
    )
    with CaptureQueriesContext(connection) as after:
        admin_client.get(url)
    assert len(after) == len(before)


def test_the_product_page_edits_ingredients_side_by_side_and_areas_inline(
    admin_client: Client,
) -> None:
    response = admin_client.get(change_url("product"))
    html = response.content.decode()
    assert 'class="selectfilter"' in html
    inline_formsets = response.context["inline_admin_formsets"]
    assert [f.formset.model for f in inline_formsets] == [ProductArea]
    assert 'name="product_areas-0-area"' in html


def test_an_admin_can_change_a_product_and_its_areas(admin_client: Client) -> None:
    kybella = Product.objects.get(code="kybella")
    data = product_form_data(kybella, max_sessions=4)
    neck = Area.objects.get(code="neck")
    data.update(
        {
            "product_areas-TOTAL_FORMS": 2,
            "product_areas-1-product": kybella.pk,
            "product_areas-1-area": neck.pk,
            "product_areas-1-status": "not_evaluated",
        }
    )
    response = admin_client.post(change_url("product", "kybella"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    kybella.refresh_from_db()
    assert kybella.max_sessions == 4
    assert dict(kybella.product_areas.values_list("area__code", "status")) == {
        "submental": "approved",
        "neck": "not_evaluated",
    }


def test_the_admin_form_refuses_a_product_for_minors_without_saving_it(
    admin_client: Client,
) -> None:
    skinvive = Product.objects.get(code="skinvive")
    response = admin_client.post(change_url("product"), product_form_data(skinvive, min_age=17))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    skinvive.refresh_from_db()
    assert skinvive.min_age == 22


def test_the_admin_form_refuses_a_product_limited_to_zero_sessions(admin_client: Client) -> None:
    skinvive = Product.objects.get(code="skinvive")
    response = admin_client.post(change_url("product"), product_form_data(skinvive, max_sessions=0))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    skinvive.refresh_from_db()
    assert skinvive.max_sessions is None
