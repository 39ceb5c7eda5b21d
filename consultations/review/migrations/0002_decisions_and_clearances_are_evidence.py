"""Decisions never change; a clearance changes only by being revoked or first used, once.

The services do this first; these triggers hold for every other path too (the
admin, a bulk update, a console), as the intake's and the screening's do.
"""

from django.db import migrations

from consultations.db import PostgresOnlySQL, append_only

CLEARANCE_GUARD = PostgresOnlySQL(
    """
    CREATE FUNCTION review_clearance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'clearances are never deleted; revoke them'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF (NEW.id, NEW.public_id, NEW.decision_id, NEW.patient_id, NEW.intake_id,
            NEW.product_id, NEW.area_id, NEW.conditions, NEW.conditions_note,
            NEW.is_override, NEW.granted_at, NEW.expires_on)
           IS DISTINCT FROM
           (OLD.id, OLD.public_id, OLD.decision_id, OLD.patient_id, OLD.intake_id,
            OLD.product_id, OLD.area_id, OLD.conditions, OLD.conditions_note,
            OLD.is_override, OLD.granted_at, OLD.expires_on) THEN
            RAISE EXCEPTION 'a clearance is never edited; a correction is a new decision'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.revoked_at IS NOT NULL
           AND (NEW.revoked_at, NEW.revoked_because) IS DISTINCT FROM
               (OLD.revoked_at, OLD.revoked_because) THEN
            RAISE EXCEPTION 'a revoked clearance stays revoked'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.first_used_at IS NOT NULL AND NEW.first_used_at IS DISTINCT FROM OLD.first_used_at THEN
            RAISE EXCEPTION 'the first use of a clearance is recorded once'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER review_clearance_guard BEFORE UPDATE OR DELETE ON review_clearance
        FOR EACH ROW EXECUTE FUNCTION review_clearance_guard();
    """,
    "DROP TRIGGER review_clearance_guard ON review_clearance; "
    "DROP FUNCTION review_clearance_guard();",
)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [append_only("review_decision"), CLEARANCE_GUARD]
