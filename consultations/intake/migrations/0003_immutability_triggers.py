"""PostgreSQL refuses any change to a submitted intake, its answers, a consent text or a signature.

The service layer already refuses these changes with a clear message; the
triggers make the rule hold for every other path too (the admin, a shell, a
bulk update, a bug). A change to a submitted intake is a new version.
"""

from django.db import migrations

from consultations.db import PostgresOnlySQL

FORWARD = """
CREATE FUNCTION intake_refuse_submitted_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Rewriting a row with exactly its own values changes nothing and is let through.
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
    IF OLD.status = 'submitted' THEN
        RAISE EXCEPTION 'intake % is submitted and cannot be changed; start a new version',
            OLD.public_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER intake_immutable_once_submitted
    BEFORE UPDATE OR DELETE ON intake_intake
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_submitted_change();

CREATE FUNCTION intake_refuse_submitted_answer_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM intake_intake WHERE id = OLD.intake_id AND status = 'submitted'
    ) OR TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
        SELECT 1 FROM intake_intake WHERE id = NEW.intake_id AND status = 'submitted'
    ) THEN
        RAISE EXCEPTION 'the answers of a submitted intake cannot be changed (%)', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER treatmentrequest_immutable_once_submitted
    BEFORE INSERT OR UPDATE OR DELETE ON intake_treatmentrequest
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_submitted_answer_change();
CREATE TRIGGER skincheck_immutable_once_submitted
    BEFORE INSERT OR UPDATE OR DELETE ON intake_skincheck
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_submitted_answer_change();
CREATE TRIGGER previoustreatment_immutable_once_submitted
    BEFORE INSERT OR UPDATE OR DELETE ON intake_previoustreatment
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_submitted_answer_change();

CREATE FUNCTION intake_refuse_any_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN RETURN NEW; END IF;
    RAISE EXCEPTION '% rows are never changed or deleted; publish or sign a new one',
        TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER consenttext_append_only
    BEFORE UPDATE OR DELETE ON intake_consenttext
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_any_change();
CREATE TRIGGER consentsignature_append_only
    BEFORE UPDATE OR DELETE ON intake_consentsignature
    FOR EACH ROW EXECUTE FUNCTION intake_refuse_any_change();
"""

BACKWARD = """
DROP TRIGGER consentsignature_append_only ON intake_consentsignature;
DROP TRIGGER consenttext_append_only ON intake_consenttext;
DROP FUNCTION intake_refuse_any_change();
DROP TRIGGER previoustreatment_immutable_once_submitted ON intake_previoustreatment;
DROP TRIGGER skincheck_immutable_once_submitted ON intake_skincheck;
DROP TRIGGER treatmentrequest_immutable_once_submitted ON intake_treatmentrequest;
DROP FUNCTION intake_refuse_submitted_answer_change();
DROP TRIGGER intake_immutable_once_submitted ON intake_intake;
DROP FUNCTION intake_refuse_submitted_change();
"""


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_consent_text_v1")]
    operations = [PostgresOnlySQL(FORWARD, BACKWARD)]
