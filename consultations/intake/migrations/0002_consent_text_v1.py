"""Publish the first consent text. Its hash is computed exactly as ConsentText.digest does."""

import datetime as dt
import hashlib

from django.db import migrations

VERSION = "2026-11-v1"
PUBLISHED_AT = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC)
TITLE = "Consent to injection treatment and to the use of my health information"
BODY = """\
1. The information I have given in this form is true and complete to the best of my \
knowledge. I will tell the clinic before my treatment if anything changes, in particular \
pregnancy, breastfeeding, a new medicine, an infection, a cold sore or a rash in the area to \
be treated.

2. I understand that injections into the skin (mesotherapy, skin boosters, dermal fillers \
and fat-dissolving injections) are medical procedures. Their possible side effects include \
pain, redness, swelling, bruising, allergic reactions, lumps, dark spots, scarring and \
infection, including infections that can need months of antibiotics, and, rarely, damage to \
the skin if a blood vessel is affected.

3. I understand that a clinician will review my answers before any treatment can be booked, \
and may clear a treatment, ask to see me in person first, ask me to wait, or decline. I will \
be told which product would be used, what is in it, and whether it is approved for the area \
to be treated.

4. I agree that the clinic stores and uses my answers and this signature to assess whether a \
treatment is safe for me, to treat me and to keep the medical records the law requires. Only \
the clinic staff who need it can see my medical history, and every time they open it is \
recorded. I can download my data and ask for my account to be closed; the clinic keeps the \
medical records it must keep.

5. Signing this form is not consent to a specific treatment on a specific day: before any \
treatment the clinician will explain it and I may ask questions and change my mind at any time.
"""


def publish(apps, schema_editor):
    ConsentText = apps.get_model("intake", "ConsentText")
    ConsentText.objects.create(
        version=VERSION,
        language="en",
        title=TITLE,
        body=BODY,
        sha256=hashlib.sha256(f"{TITLE}\n\n{BODY}".encode()).hexdigest(),
        published_at=PUBLISHED_AT,
    )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
