"""Seed exactly the catalog of SCREENING.md, so its codes mean the same in every database.

The data is frozen here (a migration must not import code that changes later).
Sources for the facts: product labeling and IFUs, the FDA's dermal filler page
and its warning on unapproved fat-dissolving injections, the Kybella
prescribing information, and the seed articles in shared/seeds.
"""

from django.db import migrations

AREAS = [
    # code, name, parent
    ("face", "Face (whole)", None),
    ("forehead", "Forehead", "face"),
    ("periorbital", "Around the eyes", "face"),
    ("cheeks", "Cheeks", "face"),
    ("nasolabial", "Nose-to-mouth lines", "face"),
    ("lips", "Lips", "face"),
    ("perioral", "Around the mouth", "face"),
    ("chin", "Chin", "face"),
    ("jawline", "Jawline", "face"),
    ("submental", "Under the chin", None),
    ("neck", "Neck", None),
    ("decolletage", "Décolletage (upper chest)", None),
    ("scalp", "Scalp", None),
    ("hands", "Back of the hands", None),
    ("abdomen", "Abdomen", None),
    ("thighs", "Thighs", None),
    ("buttocks", "Buttocks", None),
    ("arms", "Upper arms", None),
]

COMMON_INJECTION_RISKS = (
    "Any injection into the skin is a medical procedure. Expect pin-prick marks, redness, "
    "swelling or bruising for a few days. Less often: allergic reactions, persistent lumps, "
    "dark spots (hyperpigmentation), scarring, and infections, including non-tuberculous "
    "mycobacterial infections that can need months of antibiotics. Rarely, injection into a "
    "blood vessel can damage the skin (necrosis)."
)

COMMON_AFTERCARE = (
    "Keep the area clean and do not touch it for 6 hours. No make-up on the area until the "
    "next day. Avoid heat (sauna, hot yoga), hard exercise and alcohol for 24 hours. Use sun "
    "protection. Contact the clinic at once if redness spreads, the area becomes hot or more "
    "painful, you see pus or lumps, or you have a fever."
)

TREATMENTS = [
    {
        "code": "mesotherapy",
        "name": "Mesotherapy",
        "summary": "Many tiny injections of a cocktail of vitamins, hyaluronic acid or other "
        "ingredients into the skin.",
        "description": "Mesotherapy (intradermal therapy) is a series of very small injections "
        "placed in the skin: about 0.1–0.2 mL per micro-injection, 1–3 cm apart, about 2 mm "
        "deep. Mesotherapy is the name of the method, not of a product: what is injected "
        "differs between clinics. Here you can see exactly which product we use, its brand and "
        "its ingredients.",
        "purpose": "Hydration, texture and glow of the skin; some clinics also use it on the "
        "scalp and the body.",
        "risks": COMMON_INJECTION_RISKS,
        "aftercare": COMMON_AFTERCARE,
        "alternatives": "Chemical peels, microneedling, lasers, standardised hyaluronic-acid "
        "skin boosters (such as SKINVIVE for the cheeks), good daily skin care.",
        "evidence_summary": "Mixed. Hyaluronic-acid micro-injections improved skin quality on "
        "ultrasound compared with saline in a randomised trial, but a 2021 review found the "
        "proof of efficacy for rejuvenation limited and often subjective. The American Academy "
        "of Dermatology does not recommend mesotherapy for cellulite.",
        "display_order": 10,
    },
    {
        "code": "skin_booster",
        "name": "Hyaluronic-acid skin booster",
        "summary": "Standardised hyaluronic-acid micro-droplets in the skin for smoothness, "
        "not volume.",
        "description": "Intradermal micro-droplets of a standardised hyaluronic-acid gel. "
        "Unlike a filler it does not add volume; it improves the smoothness of the skin.",
        "purpose": "Skin smoothness and quality of the cheeks.",
        "risks": COMMON_INJECTION_RISKS,
        "aftercare": COMMON_AFTERCARE,
        "alternatives": "Mesotherapy, chemical peels, microneedling, lasers, volumising "
        "fillers if the goal is volume.",
        "evidence_summary": "SKINVIVE by JUVÉDERM is FDA-approved to improve the smoothness of "
        "the cheeks in adults over 21, with effects lasting about 6 months in clinical studies.",
        "display_order": 20,
    },
    {
        "code": "dermal_filler",
        "name": "Dermal filler",
        "summary": "Deeper hyaluronic-acid injections that restore volume and soften lines.",
        "description": "A cross-linked hyaluronic-acid gel injected deeper than a skin "
        "booster, to restore volume or shape the lips, cheeks, chin or jawline. A different "
        "purpose from mesotherapy.",
        "purpose": "Volume, contour and lines.",
        "risks": COMMON_INJECTION_RISKS
        + " Fillers can also move, form nodules, or block a blood vessel; this is why they "
        "are injected only by trained clinicians who can dissolve them if needed.",
        "aftercare": COMMON_AFTERCARE,
        "alternatives": "Skin boosters for skin quality, neuromodulators for movement lines, "
        "surgical options.",
        "evidence_summary": "Safety and technique standards are well established for "
        "FDA-approved fillers, each approved for specific areas.",
        "display_order": 30,
    },
    {
        "code": "fat_dissolving",
        "name": "Fat-dissolving injection",
        "summary": "Injections that destroy fat cells; Kybella is the only FDA-approved one, "
        "and only for fat under the chin.",
        "description": "Deoxycholic acid destroys fat cells where it is injected. Kybella is "
        "the only FDA-approved fat-dissolving injection, and only for fat under the chin. The "
        "FDA warns against unapproved fat-dissolving mixtures ('lipo-dissolve').",
        "purpose": "Reducing moderate to severe fat under the chin.",
        "risks": COMMON_INJECTION_RISKS
        + " Kybella commonly causes swelling, bruising, pain and numbness under the chin, and "
        "can rarely injure a nerve of the jaw (an uneven smile) or cause difficulty swallowing.",
        "aftercare": COMMON_AFTERCARE + " Swelling under the chin can last several days.",
        "alternatives": "Cryolipolysis, liposuction, weight management.",
        "evidence_summary": "Kybella has level-I evidence for fat under the chin only. The FDA "
        "warns that unapproved fat-dissolving injections can cause scars, infections and "
        "deformities.",
        "display_order": 40,
    },
]

INGREDIENTS = [
    # code, name, anaesthetic class, bacterial origin
    ("lidocaine", "Lidocaine (local anaesthetic)", "amide", False),
    ("procaine", "Procaine (local anaesthetic)", "ester", False),
    ("hyaluronic_acid", "Hyaluronic acid (non-cross-linked)", "", False),
    ("hyaluronic_acid_bacterial", "Hyaluronic acid (made by bacterial fermentation)", "", True),
    ("vitamins", "Vitamins", "", False),
    ("amino_acids", "Amino acids", "", False),
    ("caffeine", "Caffeine", "", False),
    ("artichoke_extract", "Artichoke extract", "", False),
    ("deoxycholic_acid", "Deoxycholic acid", "", False),
    ("benzyl_alcohol", "Benzyl alcohol (preservative)", "", False),
    ("phosphatidylcholine", "Phosphatidylcholine", "", False),
    ("deoxycholate", "Deoxycholate (sodium deoxycholate)", "", False),
]

HA_EVIDENCE = (
    "FDA-approved for the areas listed. Safety and effectiveness were established in "
    "clinical studies for those areas in adults over 21."
)
HA_SOURCES = "Product labeling (instructions for use); FDA: Dermal Fillers (Soft Tissue Fillers)."

PRODUCTS = [
    {
        "code": "meso-vitamin",
        "name": "Vitamin mesotherapy cocktail (lidocaine-free)",
        "brand": "Clinic preparation",
        "brand_family": "",
        "manufacturer": "",
        "treatment": "mesotherapy",
        "ingredients": ["vitamins", "amino_acids", "hyaluronic_acid"],
        "regulatory_status": "not_evaluated",
        "regulatory_note": "Mesotherapy cocktails are not FDA-approved products; the clinic "
        "tells you the exact brand and batch it uses.",
        "areas": [(a, "not_evaluated") for a in ("face", "neck", "decolletage", "scalp", "hands")],
        "min_age": 18,
        "interval": (2, "week"),
        "max_sessions": None,
        "evidence_summary": "Limited and mixed; improvements in hydration are reported, mostly "
        "on subjective assessment.",
        "evidence_sources": "Seed article: 'Mesotherapy Explained'; 2021 review of mesotherapy "
        "for rejuvenation.",
        "display_order": 10,
    },
    {
        "code": "meso-procaine",
        "name": "Mesotherapy cocktail with procaine",
        "brand": "Clinic preparation",
        "brand_family": "",
        "manufacturer": "",
        "treatment": "mesotherapy",
        "ingredients": ["procaine", "vitamins", "hyaluronic_acid"],
        "regulatory_status": "not_evaluated",
        "regulatory_note": "Not an FDA-approved product. Contains procaine, an ester-type "
        "local anaesthetic.",
        "areas": [(a, "not_evaluated") for a in ("face", "neck", "decolletage", "scalp")],
        "min_age": 18,
        "interval": (2, "week"),
        "max_sessions": None,
        "evidence_summary": "Limited and mixed, as for other mesotherapy cocktails.",
        "evidence_sources": "Seed article: 'Mesotherapy Explained'.",
        "display_order": 20,
    },
    {
        "code": "meso-body",
        "name": "Body mesotherapy cocktail",
        "brand": "Clinic preparation",
        "brand_family": "",
        "manufacturer": "",
        "treatment": "mesotherapy",
        "ingredients": ["caffeine", "artichoke_extract", "procaine"],
        "regulatory_status": "not_evaluated",
        "regulatory_note": "Not FDA-approved. Mesotherapy for cellulite is not recommended by "
        "the American Academy of Dermatology.",
        "areas": [(a, "not_evaluated") for a in ("abdomen", "thighs", "buttocks", "arms")],
        "min_age": 18,
        "interval": (2, "week"),
        "max_sessions": None,
        "evidence_summary": "Weak. Few supportive studies; the American Academy of Dermatology "
        "lists mesotherapy among cellulite treatments it does not recommend.",
        "evidence_sources": "American Academy of Dermatology: cellulite treatments.",
        "display_order": 30,
    },
    {
        "code": "skinvive",
        "name": "SKINVIVE by JUVÉDERM",
        "brand": "JUVÉDERM",
        "brand_family": "juvederm",
        "manufacturer": "Allergan Aesthetics",
        "treatment": "skin_booster",
        "ingredients": ["hyaluronic_acid_bacterial", "lidocaine"],
        "regulatory_status": "approved",
        "regulatory_note": "FDA-approved to improve facial skin smoothness of the cheeks in "
        "adults over the age of 21.",
        "areas": [("cheeks", "approved")],
        "min_age": 22,
        "interval": (4, "week"),
        "max_sessions": None,
        "evidence_summary": "Smoother-looking cheek skin lasting about 6 months in clinical "
        "studies. Injected as micro-droplets; not a volumising filler.",
        "evidence_sources": "SKINVIVE by JUVÉDERM labeling; seed article 'Mesotherapy Explained'.",
        "display_order": 10,
    },
    {
        "code": "juvederm-volbella-xc",
        "name": "JUVÉDERM VOLBELLA XC",
        "brand": "JUVÉDERM",
        "brand_family": "juvederm",
        "manufacturer": "Allergan Aesthetics",
        "treatment": "dermal_filler",
        "ingredients": ["hyaluronic_acid_bacterial", "lidocaine"],
        "regulatory_status": "approved",
        "regulatory_note": "FDA-approved for lip augmentation and perioral lines in adults "
        "over 21.",
        "areas": [("lips", "approved"), ("perioral", "approved")],
        "min_age": 22,
        "interval": (4, "week"),
        "max_sessions": None,
        "evidence_summary": HA_EVIDENCE,
        "evidence_sources": HA_SOURCES,
        "display_order": 10,
    },
    {
        "code": "juvederm-voluma-xc",
        "name": "JUVÉDERM VOLUMA XC",
        "brand": "JUVÉDERM",
        "brand_family": "juvederm",
        "manufacturer": "Allergan Aesthetics",
        "treatment": "dermal_filler",
        "ingredients": ["hyaluronic_acid_bacterial", "lidocaine"],
        "regulatory_status": "approved",
        "regulatory_note": "FDA-approved for cheek, chin and jawline volume in adults over 21.",
        "areas": [("cheeks", "approved"), ("chin", "approved"), ("jawline", "approved")],
        "min_age": 22,
        "interval": (4, "week"),
        "max_sessions": None,
        "evidence_summary": HA_EVIDENCE,
        "evidence_sources": HA_SOURCES,
        "display_order": 20,
    },
    {
        "code": "restylane-kysse",
        "name": "Restylane Kysse",
        "brand": "Restylane",
        "brand_family": "restylane",
        "manufacturer": "Galderma",
        "treatment": "dermal_filler",
        "ingredients": ["hyaluronic_acid_bacterial", "lidocaine"],
        "regulatory_status": "approved",
        "regulatory_note": "FDA-approved for lip augmentation and perioral lines in adults "
        "over 21.",
        "areas": [("lips", "approved"), ("perioral", "approved")],
        "min_age": 22,
        "interval": (4, "week"),
        "max_sessions": None,
        "evidence_summary": HA_EVIDENCE,
        "evidence_sources": HA_SOURCES + " Restylane labeling: contraindicated in bleeding "
        "disorders.",
        "display_order": 30,
    },
    {
        "code": "kybella",
        "name": "Kybella",
        "brand": "Kybella",
        "brand_family": "kybella",
        "manufacturer": "Allergan Aesthetics",
        "treatment": "fat_dissolving",
        "ingredients": ["deoxycholic_acid", "benzyl_alcohol"],
        "regulatory_status": "approved",
        "regulatory_note": "FDA-approved only for moderate to severe fat under the chin "
        "(submental fat) in adults. Not recommended elsewhere.",
        "areas": [("submental", "approved")],
        "min_age": 18,
        "interval": (1, "month"),
        "max_sessions": 6,
        "evidence_summary": "Level-I evidence (randomised controlled trials) for fat under the "
        "chin. Up to 6 sessions, no less than 1 month apart.",
        "evidence_sources": "Kybella (deoxycholic acid) prescribing information.",
        "display_order": 10,
    },
    {
        "code": "lipo-dissolve",
        "name": 'Phosphatidylcholine/deoxycholate "lipo-dissolve"',
        "brand": "Compounded mixture",
        "brand_family": "",
        "manufacturer": "",
        "treatment": "fat_dissolving",
        "ingredients": ["phosphatidylcholine", "deoxycholate"],
        "regulatory_status": "unapproved",
        "regulatory_note": "Not approved. The FDA warns that unapproved fat-dissolving "
        "injections have caused scars, serious infections and skin deformities. The clinic "
        "does not offer it; it is listed so that it can be recognised and screened.",
        "areas": [],
        "min_age": 18,
        "interval": (2, "week"),
        "max_sessions": None,
        "evidence_summary": "No adequate evidence of safety or effectiveness.",
        "evidence_sources": "FDA: warning on unapproved fat-dissolving injections.",
        "is_active": False,
        "display_order": 20,
    },
]


def seed(apps, schema_editor):
    Area = apps.get_model("catalog", "Area")
    Treatment = apps.get_model("catalog", "Treatment")
    Ingredient = apps.get_model("catalog", "Ingredient")
    Product = apps.get_model("catalog", "Product")
    ProductArea = apps.get_model("catalog", "ProductArea")

    areas = {}
    for order, (code, name, parent) in enumerate(AREAS):
        areas[code] = Area.objects.create(
            code=code, name=name, parent=areas.get(parent), display_order=order * 10
        )
    treatments = {t["code"]: Treatment.objects.create(**t) for t in TREATMENTS}
    ingredients = {
        code: Ingredient.objects.create(
            code=code, name=name, anaesthetic_class=cls, bacterial_origin=bacterial
        )
        for code, name, cls, bacterial in INGREDIENTS
    }
    for spec in PRODUCTS:
        spec = dict(spec)
        ingredient_codes = spec.pop("ingredients")
        area_statuses = spec.pop("areas")
        count, unit = spec.pop("interval")
        treatment = treatments[spec.pop("treatment")]
        product = Product.objects.create(
            **spec,
            treatment=treatment,
            min_interval_count=count,
            min_interval_unit=unit,
        )
        product.ingredients.set([ingredients[c] for c in ingredient_codes])
        for code, status in area_statuses:
            ProductArea.objects.create(product=product, area=areas[code], status=status)


def unseed(apps, schema_editor):
    for model in ("ProductArea", "Product", "Ingredient", "Treatment", "Area"):
        manager = apps.get_model("catalog", model).objects
        if model == "Area":
            manager.filter(parent__isnull=False).delete()
        manager.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
