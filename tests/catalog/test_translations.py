"""The catalog in Vietnamese: patients read it in their language, screening never sees it."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consultations.catalog.models import Area, Ingredient, Product, Treatment
from consultations.patients.models import User
from consultations.screening.services import screening_evaluate_json

pytestmark = pytest.mark.django_db

TRANSLATABLE = (Area, Treatment, Ingredient, Product)


@pytest.mark.parametrize("model", TRANSLATABLE, ids=lambda m: m.__name__)
def test_every_seeded_catalog_text_has_a_vietnamese_translation(model) -> None:
    for row in model.objects.all():
        for field in model.TRANSLATED:
            english = getattr(row, field)
            if not english:
                continue
            vietnamese = row.translations.get("vi", {}).get(field, "")
            assert vietnamese, f"{model.__name__} {row.code}: {field} has no Vietnamese"
            if " " in english and len(english) > 25:
                assert vietnamese != english, f"{model.__name__} {row.code}: {field} untranslated"


def test_a_text_is_shown_in_the_active_language_and_falls_back_to_english() -> None:
    cheeks = Area.objects.get(code="cheeks")
    assert cheeks.translated("name", "en") == "Cheeks"
    assert cheeks.translated("name", "vi") == "Má"
    with translation.override("vi"):
        assert cheeks.translated("name") == "Má"
    cheeks.translations = {}
    assert cheeks.translated("name", "vi") == "Cheeks"


def test_only_known_languages_and_fields_can_be_stored() -> None:
    cheeks = Area.objects.get(code="cheeks")
    for bad in ({"fr": {"name": "Joues"}}, {"vi": {"code": "ma"}}, {"vi": {"name": 3}}, ["vi"]):
        cheeks.translations = bad
        with pytest.raises(ValidationError):
            cheeks.full_clean()
    with pytest.raises(ValueError, match="not translated"):
        cheeks.translated("code")


def test_the_treatment_and_product_pages_are_in_vietnamese_for_a_vietnamese_browser(
    client: Client,
) -> None:
    page = client.get(
        reverse("catalog:treatment", kwargs={"code": "skin_booster"}),
        HTTP_ACCEPT_LANGUAGE="vi",
    ).content.decode()
    booster = Treatment.objects.get(code="skin_booster")
    assert booster.translations["vi"]["description"] in page
    assert booster.description not in page
    product = client.get(
        reverse("catalog:product", kwargs={"code": "meso-vitamin"}), HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    cocktail = Product.objects.get(code="meso-vitamin")
    assert cocktail.translations["vi"]["name"] in product
    assert (
        "Má"
        in client.get(
            reverse("catalog:product", kwargs={"code": "skinvive"}), HTTP_ACCEPT_LANGUAGE="vi"
        ).content.decode()
    )


def test_the_screening_is_the_same_whatever_the_language_of_the_request() -> None:
    body = json.dumps(
        {
            "date_of_birth": "2006-04-01",
            "treatment_date": "2026-12-01",
            "requests": [{"product": "skinvive", "area": "cheeks"}],
            "pregnancy": "no",
            "allergies": "lidocaine",
            "anaphylaxis_history": False,
            "multiple_severe_allergies": False,
            "medications": "",
            "conditions": [],
            "skin_at_site": {},
            "previous_sessions": [],
            "isotretinoin_last_taken": None,
            "recent_illness_or_vaccination": False,
        }
    ).encode()
    with translation.override("en"):
        english = screening_evaluate_json(body)
    with translation.override("vi"):
        vietnamese = screening_evaluate_json(body)
    assert english == vietnamese
    assert "SKINVIVE by JUVÉDERM" in json.dumps(english, ensure_ascii=False)


# --- The admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def test_an_admin_edits_the_vietnamese_texts_beside_the_english_ones(admin_client) -> None:
    cheeks = Area.objects.get(code="cheeks")
    url = reverse("admin:catalog_area_change", args=[cheeks.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="name__vi"' in page
    assert 'value="Má"' in page

    data = {
        "code": "cheeks",
        "name": "Cheeks",
        "parent": cheeks.parent_id,
        "display_order": cheeks.display_order,
        "name__vi": "Gò má",
    }
    assert admin_client.post(url, data).status_code == 302
    cheeks.refresh_from_db()
    assert cheeks.translations == {"vi": {"name": "Gò má"}}
    assert cheeks.name == "Cheeks"

    admin_client.post(url, {**data, "name__vi": "  "})
    cheeks.refresh_from_db()
    assert cheeks.translations == {}
    assert cheeks.translated("name", "vi") == "Cheeks"


def test_a_new_product_can_be_added_without_translations(admin_client) -> None:
    page = admin_client.get(reverse("admin:catalog_ingredient_add"))
    assert page.status_code == 200
    response = admin_client.post(
        reverse("admin:catalog_ingredient_add"),
        {"code": "niacinamide", "name": "Niacinamide", "anaesthetic_class": ""},
    )
    assert response.status_code == 302
    assert Ingredient.objects.get(code="niacinamide").translated("name", "vi") == "Niacinamide"
