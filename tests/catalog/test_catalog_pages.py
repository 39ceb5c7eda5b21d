"""The public catalog pages answer the patient's smart questions from the catalog's facts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from consultations.catalog.models import Product, ProductArea, Treatment
from consultations.patients.models import User

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    """The page's visible text with whitespace collapsed, so assertions read like sentences."""
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


def section(response, heading_id: str) -> str:
    """The text of one `<section aria-labelledby=...>` of the page."""
    html = response.content.decode()
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', html, re.DOTALL
    )
    assert match, f"the page has no section {heading_id!r}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def product_page(client: Client, code: str):
    response = client.get(reverse("catalog:product", kwargs={"code": code}))
    assert response.status_code == 200
    return response


# The list of treatments


def test_the_treatment_list_is_public_and_shows_each_offered_treatment(client: Client) -> None:
    response = client.get(reverse("catalog:index"))
    assert response.status_code == 200
    text = page_text(response)
    for treatment in Treatment.objects.filter(is_active=True):
        assert treatment.name in text
        assert treatment.summary in text
        assert f'href="{treatment.get_absolute_url()}"' in response.content.decode()


def test_the_treatment_list_leaves_out_a_treatment_the_clinic_stopped_offering(
    client: Client,
) -> None:
    Treatment.objects.filter(code="mesotherapy").update(is_active=False)
    text = page_text(client.get(reverse("catalog:index")))
    assert "Mesotherapy" not in text
    assert "Hyaluronic-acid skin booster" in text


def test_the_treatment_list_links_offered_products_but_not_lipo_dissolve(client: Client) -> None:
    html = client.get(reverse("catalog:index")).content.decode()
    assert f'href="{reverse("catalog:product", kwargs={"code": "kybella"})}"' in html
    assert reverse("catalog:product", kwargs={"code": "lipo-dissolve"}) not in html


def test_the_treatment_list_costs_the_same_queries_however_many_products(
    client: Client, django_assert_max_num_queries
) -> None:
    add_products("mesotherapy", 10)
    with django_assert_max_num_queries(2):
        assert client.get(reverse("catalog:index")).status_code == 200


# A treatment page


def test_a_treatment_page_explains_the_treatment(client: Client) -> None:
    treatment = Treatment.objects.get(code="skin_booster")
    response = client.get(reverse("catalog:treatment", kwargs={"code": "skin_booster"}))
    assert response.status_code == 200
    text = page_text(response)
    for fact in (
        treatment.description,
        treatment.purpose,
        treatment.risks,
        treatment.aftercare,
        treatment.alternatives,
        treatment.evidence_summary,
    ):
        assert fact in text


def test_a_treatment_page_links_each_offered_product(client: Client) -> None:
    response = client.get(reverse("catalog:treatment", kwargs={"code": "dermal_filler"}))
    html = response.content.decode()
    for code in ("juvederm-volbella-xc", "juvederm-voluma-xc", "restylane-kysse"):
        assert f'href="{reverse("catalog:product", kwargs={"code": code})}"' in html
    assert "JUVÉDERM VOLUMA XC" in page_text(response)


def test_the_fat_dissolving_page_offers_kybella_and_not_lipo_dissolve(client: Client) -> None:
    html = client.get(
        reverse("catalog:treatment", kwargs={"code": "fat_dissolving"})
    ).content.decode()
    products = section_html(html, "products")
    assert reverse("catalog:product", kwargs={"code": "kybella"}) in products
    assert reverse("catalog:product", kwargs={"code": "lipo-dissolve"}) not in products


def test_a_treatment_page_invites_the_patient_to_start_their_intake(client: Client) -> None:
    response = client.get(reverse("catalog:treatment", kwargs={"code": "mesotherapy"}))
    html = response.content.decode()
    assert re.search(rf'href="{reverse("intake:home")}"[^>]*>\s*Start my intake', html)


def test_a_treatment_page_costs_the_same_queries_however_many_products(
    client: Client, django_assert_max_num_queries
) -> None:
    add_products("mesotherapy", 10)
    with django_assert_max_num_queries(2):
        response = client.get(reverse("catalog:treatment", kwargs={"code": "mesotherapy"}))
    assert "Extra product 9" in page_text(response)


def test_a_treatment_the_clinic_stopped_offering_says_so_and_offers_no_intake(
    client: Client,
) -> None:
    Treatment.objects.filter(code="mesotherapy").update(is_active=False)
    response = client.get(reverse("catalog:treatment", kwargs={"code": "mesotherapy"}))
    assert response.status_code == 200
    text = page_text(response)
    assert "The clinic does not offer this treatment at the moment." in text
    assert "Start my intake" not in text


def test_an_unknown_treatment_is_not_found(client: Client) -> None:
    response = client.get(reverse("catalog:treatment", kwargs={"code": "botox"}))
    assert response.status_code == 404


# A product page: the smart questions


def test_a_product_page_asks_each_smart_question_as_its_own_heading(client: Client) -> None:
    html = product_page(client, "meso-vitamin").content.decode()
    headings = [
        re.sub(r"\s+", " ", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    ]
    for question in (
        "Which product is it?",
        "Is it approved for this purpose and area?",
        "What evidence supports it?",
        "Who performs it?",
        "What are the risks and aftercare?",
        "What are the alternatives?",
    ):
        assert question in headings


def test_the_skinvive_page_names_the_product_its_brand_maker_and_every_ingredient(
    client: Client,
) -> None:
    text = section(product_page(client, "skinvive"), "which-product")
    assert "SKINVIVE by JUVÉDERM" in text
    assert "JUVÉDERM" in text
    assert "Allergan Aesthetics" in text
    assert "Hyaluronic acid (made by bacterial fermentation)" in text
    assert "Lidocaine (local anaesthetic)" in text


def test_the_skinvive_page_says_it_contains_lidocaine(client: Client) -> None:
    text = section(product_page(client, "skinvive"), "which-product")
    assert "This product contains lidocaine." in text
    assert "does not contain lidocaine" not in text


def test_the_lidocaine_free_cocktail_page_says_it_does_not_contain_lidocaine(
    client: Client,
) -> None:
    text = section(product_page(client, "meso-vitamin"), "which-product")
    assert "This product does not contain lidocaine." in text
    assert "This product contains lidocaine." not in text


def test_the_procaine_cocktail_page_marks_procaine_as_an_ester_anaesthetic(client: Client) -> None:
    text = section(product_page(client, "meso-procaine"), "which-product")
    assert "Procaine (local anaesthetic) Ester local anaesthetic" in text
    assert "This product does not contain lidocaine." in text


def test_the_skinvive_page_shows_cheeks_as_fda_approved(client: Client) -> None:
    response = product_page(client, "skinvive")
    rows = re.findall(r"<tr>(.*?)</tr>", section_html(response.content.decode(), "approval"), re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows[1:]]
    assert cells == ["Cheeks FDA-approved"]
    assert "FDA-approved for this area only: Cheeks." in section(response, "approval")


def test_the_voluma_page_lists_each_approved_area(client: Client) -> None:
    text = section(product_page(client, "juvederm-voluma-xc"), "approval")
    assert "FDA-approved for these areas only: Cheeks, Chin, Jawline." in text


def test_a_clinic_cocktail_page_says_plainly_it_is_approved_for_no_area(client: Client) -> None:
    text = section(product_page(client, "meso-body"), "approval")
    assert "Not evaluated by the FDA (clinic preparation)" in text
    assert "Abdomen" in text
    assert "Thighs" in text
    assert "This product is not FDA-approved for any area." in text
    assert "Not FDA-approved. Mesotherapy for cellulite is not recommended" in text


def test_an_approved_product_page_does_not_say_it_is_approved_for_no_area(client: Client) -> None:
    text = section(product_page(client, "kybella"), "approval")
    assert "Under the chin" in text
    assert "not FDA-approved for any area" not in text


def test_a_product_page_shows_its_evidence_and_sources(client: Client) -> None:
    product = Product.objects.get(code="kybella")
    text = section(product_page(client, "kybella"), "evidence")
    assert product.evidence_summary in text
    assert "Kybella (deoxycholic acid) prescribing information." in text


def test_a_product_page_says_only_registered_clinicians_inject_after_a_review(
    client: Client,
) -> None:
    text = section(product_page(client, "skinvive"), "who-performs")
    assert "registered clinicians" in text
    assert "reviewed your medical history" in text
    assert "shown when you book" in text


def test_a_product_page_shows_treatment_and_product_risks_and_aftercare(client: Client) -> None:
    product = Product.objects.select_related("treatment").get(code="kybella")
    product.risks = "Product-specific risk: hoarseness."
    product.aftercare = "Product-specific aftercare: ice the area."
    product.save(update_fields=["risks", "aftercare"])
    text = section(product_page(client, "kybella"), "risks-aftercare")
    assert product.treatment.risks in text
    assert product.treatment.aftercare in text
    assert "Product-specific risk: hoarseness." in text
    assert "Product-specific aftercare: ice the area." in text


def test_a_product_page_shows_the_treatment_alternatives(client: Client) -> None:
    text = section(product_page(client, "kybella"), "alternatives")
    assert "Cryolipolysis, liposuction, weight management." in text


def test_the_skinvive_page_shows_its_minimum_age_and_spacing(client: Client) -> None:
    text = section(product_page(client, "skinvive"), "age-sessions")
    assert "22 years and over" in text
    assert "At least 4 weeks" in text
    assert "Maximum number of sessions" not in text


def test_the_kybella_page_shows_one_month_apart_and_at_most_six_sessions(client: Client) -> None:
    text = section(product_page(client, "kybella"), "age-sessions")
    assert "18 years and over" in text
    assert "At least 1 month" in text
    assert "1 months" not in text
    assert "6 sessions" in text


def test_an_offered_product_page_invites_the_patient_to_start_their_intake(
    client: Client,
) -> None:
    html = product_page(client, "skinvive").content.decode()
    assert "not-offered" not in html
    assert re.search(rf'href="{reverse("intake:home")}"[^>]*>\s*Start my intake', html)


def test_the_lipo_dissolve_page_warns_that_the_clinic_does_not_offer_it_and_why(
    client: Client,
) -> None:
    response = product_page(client, "lipo-dissolve")
    html = response.content.decode()
    warning = re.search(r'<div class="alert alert-danger" id="not-offered">(.*?)</div>', html, re.S)
    assert warning
    warning_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", warning.group(1)))
    assert "The clinic does not offer this product." in warning_text
    assert "The FDA warns that unapproved fat-dissolving injections" in warning_text
    assert "Start my intake" not in page_text(response)


def test_the_lipo_dissolve_page_says_it_is_unapproved_with_no_area(client: Client) -> None:
    text = section(product_page(client, "lipo-dissolve"), "approval")
    assert "Unapproved; the FDA warns against it" in text
    assert "There is no area where this product is approved or used by the clinic." in text
    assert "This product is not FDA-approved for any area." in text


def test_an_unknown_product_is_not_found(client: Client) -> None:
    response = client.get(reverse("catalog:product", kwargs={"code": "no-such-product"}))
    assert response.status_code == 404


def test_a_product_page_costs_the_same_queries_however_many_ingredients_and_areas(
    client: Client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(3):
        response = product_page(client, "meso-vitamin")
    assert "Back of the hands" in page_text(response)


def test_a_logged_in_patient_sees_the_product_page_in_a_bounded_number_of_queries(
    client: Client, patient_a: User, django_assert_max_num_queries
) -> None:
    client.force_login(patient_a)
    # The page's three queries, plus the session, the user and the user's roles for the menu.
    with django_assert_max_num_queries(6):
        product_page(client, "juvederm-voluma-xc")


def test_the_catalog_pages_carry_no_inline_script_or_style(client: Client) -> None:
    for url in (
        reverse("catalog:index"),
        reverse("catalog:treatment", kwargs={"code": "fat_dissolving"}),
        reverse("catalog:product", kwargs={"code": "lipo-dissolve"}),
        reverse("catalog:product", kwargs={"code": "skinvive"}),
    ):
        html = client.get(url).content.decode()
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


# Helpers


def section_html(html: str, heading_id: str) -> str:
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', html, re.DOTALL
    )
    assert match, f"the page has no section {heading_id!r}"
    return match.group(1)


def add_products(treatment_code: str, count: int) -> None:
    """More offered products, each with ingredients and areas, to show queries do not grow."""
    template = Product.objects.get(code="meso-vitamin")
    ingredients = list(template.ingredients.all())
    areas = [pa.area for pa in template.product_areas.select_related("area")]
    treatment = Treatment.objects.get(code=treatment_code)
    for index in range(count):
        product = Product.objects.create(
            code=f"extra-{index}",
            name=f"Extra product {index}",
            treatment=treatment,
            regulatory_status="not_evaluated",
            evidence_summary="None.",
            display_order=100 + index,
        )
        product.ingredients.set(ingredients)
        ProductArea.objects.bulk_create(
            ProductArea(product=product, area=area, status="not_evaluated") for area in areas
        )
