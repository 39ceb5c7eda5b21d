"""What no path may get around, held by PostgreSQL itself.

- An active appointment (booked, on hold, checked in) of a practitioner, or in a
  room, never overlaps another (exclusion constraints over the time from its
  start to the end of its buffer; btree_gist lets the ids join the range).
- An appointment is only ever inserted, moved or made active again under a
  valid clearance: not revoked, not expired on its day, for its patient,
  product and area, and granted on the patient's latest submitted intake version.
- The appointment's `local_date` is its start's day in the clinic's time zone
  (the service computes it); the trigger keeps it within a day of the UTC date.
- Events, check-ins and problem reports are never changed or deleted.
"""

from django.db import migrations

from consultations.db import PostgresOnlySQL, append_only

ACTIVE = "('booked', 'on_hold', 'checked_in')"

NO_OVERLAP = PostgresOnlySQL(
    f"""
    CREATE EXTENSION IF NOT EXISTS btree_gist;
    ALTER TABLE booking_appointment ADD CONSTRAINT appointment_practitioner_no_overlap
        EXCLUDE USING gist (practitioner_id WITH =, tstzrange(starts_at, free_at, '[)') WITH &&)
        WHERE (status IN {ACTIVE});
    ALTER TABLE booking_appointment ADD CONSTRAINT appointment_room_no_overlap
        EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, free_at, '[)') WITH &&)
        WHERE (status IN {ACTIVE});
    """,
    """
    ALTER TABLE booking_appointment DROP CONSTRAINT appointment_practitioner_no_overlap;
    ALTER TABLE booking_appointment DROP CONSTRAINT appointment_room_no_overlap;
    """,
)

CLEARANCE_GATE = PostgresOnlySQL(
    """
    CREATE FUNCTION booking_clearance_gate() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        c review_clearance%ROWTYPE;
        latest bigint;
    BEGIN
        IF NEW.status NOT IN ('booked', 'on_hold', 'checked_in') THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE'
           AND OLD.status IN ('booked', 'on_hold', 'checked_in')
           AND (NEW.clearance_id, NEW.patient_id, NEW.product_id, NEW.area_id,
                NEW.starts_at, NEW.local_date)
               IS NOT DISTINCT FROM
               (OLD.clearance_id, OLD.patient_id, OLD.product_id, OLD.area_id,
                OLD.starts_at, OLD.local_date) THEN
            -- A status change between active states (check-in, hold): the service decides.
            RETURN NEW;
        END IF;
        IF abs(NEW.local_date - (NEW.starts_at AT TIME ZONE 'UTC')::date) > 1 THEN
            RAISE EXCEPTION 'the appointment''s day does not match its start'
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT * INTO c FROM review_clearance WHERE id = NEW.clearance_id FOR SHARE;
        IF c.revoked_at IS NOT NULL THEN
            RAISE EXCEPTION 'no valid clearance: it was revoked'
                USING ERRCODE = 'check_violation';
        END IF;
        IF c.expires_on < NEW.local_date THEN
            RAISE EXCEPTION 'no valid clearance: it expires before the appointment'
                USING ERRCODE = 'check_violation';
        END IF;
        IF (c.patient_id, c.product_id, c.area_id)
           IS DISTINCT FROM (NEW.patient_id, NEW.product_id, NEW.area_id) THEN
            RAISE EXCEPTION 'no valid clearance: it covers another patient, product or area'
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT id INTO latest FROM intake_intake
            WHERE patient_id = NEW.patient_id AND status = 'submitted'
            ORDER BY version DESC LIMIT 1;
        IF latest IS DISTINCT FROM c.intake_id THEN
            RAISE EXCEPTION 'no valid clearance: the patient has a newer intake version'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER booking_clearance_gate BEFORE INSERT OR UPDATE ON booking_appointment
        FOR EACH ROW EXECUTE FUNCTION booking_clearance_gate();
    """,
    "DROP TRIGGER booking_clearance_gate ON booking_appointment; "
    "DROP FUNCTION booking_clearance_gate();",
)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0001_initial"),
        ("review", "0003_alter_reviewcase_kind"),
        ("intake", "0003_immutability_triggers"),
    ]

    operations = [
        NO_OVERLAP,
        CLEARANCE_GATE,
        append_only("booking_appointmentevent"),
        append_only("booking_checkin"),
        append_only("booking_problemreport"),
    ]
