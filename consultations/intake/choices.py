"""The intake's answer vocabulary.

Codes that the screening contract (SCREENING.md) also uses are spelt exactly as
there: pregnancy answers, conditions, skin findings, indications. Codes that are
ours alone (goals, the common-allergy list) map onto the contract in
`screening_input.py`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Goal(models.TextChoices):
    """What the patient hopes to improve, in their words."""

    HYDRATION = "hydration", _("Hydration")
    TEXTURE = "texture", _("Skin texture and smoothness")
    PORES = "pores", _("Pores")
    FINE_LINES = "fine_lines", _("Fine lines")
    PIGMENTATION = "pigmentation", _("Pigmentation and dark spots")
    VOLUME = "volume", _("Volume")
    FAT_REDUCTION = "fat_reduction", _("Fat reduction")
    CELLULITE = "cellulite", _("Cellulite")
    HAIR = "hair", _("Hair thinning")


# The contract's `indication` for each goal.
GOAL_INDICATION: dict[str, str] = {
    Goal.HYDRATION: "skin_quality",
    Goal.TEXTURE: "skin_quality",
    Goal.PORES: "skin_quality",
    Goal.FINE_LINES: "lines",
    Goal.PIGMENTATION: "pigmentation",
    Goal.VOLUME: "volume",
    Goal.FAT_REDUCTION: "fat_reduction",
    Goal.CELLULITE: "cellulite",
    Goal.HAIR: "hair",
}


class SexAtBirth(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Pregnancy(models.TextChoices):
    NO = "no", _("No")
    PREGNANT = "pregnant", _("I am pregnant")
    BREASTFEEDING = "breastfeeding", _("I am breastfeeding")
    TRYING = "trying", _("I am trying to conceive")
    UNSURE = "unsure", _("I am not sure")
    NOT_APPLICABLE = "not_applicable", _("Does not apply to me")


class CommonAllergy(models.TextChoices):
    """Allergies worth asking by name; anything else goes in the free text."""

    LIDOCAINE = "lidocaine", _("Lidocaine (Xylocaine, lignocaine) or other numbing injections")
    PROCAINE = "procaine", _("Procaine (Novocaine) or benzocaine")
    HYALURONIC_ACID = "hyaluronic_acid", _("Hyaluronic acid")
    BACTERIAL_PROTEINS = "bacterial_proteins", _("Gram-positive bacterial proteins")
    LATEX = "latex", _("Latex")
    PENICILLIN = "penicillin", _("Penicillin or other antibiotics")
    NSAID = "nsaid", _("Aspirin or anti-inflammatory painkillers (ibuprofen)")
    EGG = "egg", _("Eggs")


class AllergyReaction(models.TextChoices):
    MILD = "mild", _("Mild: rash, itching or sneezing")
    SEVERE = "severe", _("Severe: swelling of the face, lips or throat, or trouble breathing")
    UNKNOWN = "unknown", _("I don't know")


class Condition(models.TextChoices):
    """Contract codes first; `diabetes` is asked for the clinician, not screened."""

    BLEEDING_DISORDER = "bleeding_disorder", _("A bleeding or clotting disorder")
    AUTOIMMUNE = "autoimmune", _("An autoimmune disease (e.g. lupus, rheumatoid arthritis)")
    IMMUNOSUPPRESSED = "immunosuppressed", _("A weakened immune system or immunosuppressive drugs")
    KELOID_SCARRING = "keloid_scarring", _("Keloids or raised (hypertrophic) scars")
    RECURRENT_COLD_SORES = "recurrent_cold_sores", _("Cold sores that come back")
    DYSPHAGIA = "dysphagia", _("Difficulty swallowing, now or in the past")
    THYROID_OR_NECK_MASS = "thyroid_or_neck_mass", _("An enlarged thyroid or swollen neck glands")
    PRIOR_SUBMENTAL_TREATMENT = (
        "prior_submental_treatment",
        _("Surgery or cosmetic treatment under the chin"),
    )
    DIABETES = "diabetes", _("Diabetes")


# Conditions the screening contract knows; the rest are for the clinician's eyes.
CONTRACT_CONDITIONS = frozenset(
    {
        "bleeding_disorder",
        "autoimmune",
        "immunosuppressed",
        "keloid_scarring",
        "recurrent_cold_sores",
        "dysphagia",
        "thyroid_or_neck_mass",
        "prior_submental_treatment",
        "bacterial_protein_allergy",
    }
)


class SkinFinding(models.TextChoices):
    ACTIVE_INFECTION = "active_infection", _("An infection (hot, swollen, painful or with pus)")
    INFLAMED_ACNE = "inflamed_acne", _("Inflamed acne (red or painful spots)")
    RASH = "rash", _("A rash")
    HIVES = "hives", _("Hives (itchy raised welts)")
    OPEN_WOUND = "open_wound", _("An open wound, cut or graze")
    ACTIVE_COLD_SORE = "active_cold_sore", _("A cold sore right now")


class Isotretinoin(models.TextChoices):
    NEVER = "never", _("No, never or more than 6 months ago")
    CURRENT = "current", _("Yes, I take it now")
    RECENT = "recent", _("I stopped within the last 6 months")
