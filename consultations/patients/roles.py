"""What each role may do, as Django permissions on the role's group.

Patients get no model permissions: they reach their own records through
ownership checks (`get_own_intake` and friends), never through a permission
that would open other patients' records.
"""

from typing import Any

from consultations.patients.models import Role

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.PATIENT: set(),
    Role.CLINICIAN: {
        "catalog.view_area",
        "catalog.view_treatment",
        "catalog.view_product",
        "catalog.view_ingredient",
        "intake.view_intake",
        "intake.view_medical_history",
        "review.view_reviewcase",
        "review.view_decision",
        "review.add_decision",
        "review.view_clearance",
        "booking.view_appointment",
        "booking.change_appointment",
    },
    Role.FRONT_DESK: {
        "catalog.view_area",
        "catalog.view_treatment",
        "catalog.view_product",
        "catalog.view_ingredient",
        "patients.view_patient",
        "review.view_clearance",
        "review.view_frontdesknote",
        "review.change_frontdesknote",
        "booking.view_appointment",
        "booking.add_appointment",
        "booking.change_appointment",
        "booking.view_practitioner",
        "booking.view_room",
        "booking.view_openinghours",
        "booking.view_workinghours",
        "booking.view_timeoff",
        "booking.add_timeoff",
        "booking.change_timeoff",
        "booking.delete_timeoff",
    },
    Role.ADMIN: {
        *(
            f"catalog.{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("area", "treatment", "product", "ingredient", "productarea")
        ),
        "patients.view_user",
        "patients.add_user",
        "patients.change_user",
        "patients.view_patient",
        "auth.view_group",
        "intake.view_consenttext",
        "intake.add_consenttext",
        "review.view_clearance",
        "review.view_frontdesknote",
        *(
            f"booking.{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("practitioner", "room", "openinghours", "workinghours", "timeoff")
        ),
        "booking.view_bookingpolicy",
        "booking.change_bookingpolicy",
        "booking.view_appointment",
        # The audit trail: who opened which record, and the change history of records that
        # hold no medical detail. The history of medical records (answers, decisions,
        # check-ins, problem reports) repeats their contents, so only a superuser (or SQL
        # with the audit role) reads it: an administrator runs the clinic, not its care.
        "audit.view_accessevent",
        *(
            f"audit.view_{model}history"
            for model in ("patient", "user", "clearance", "frontdesknote", "appointment")
        ),
    },
}


def sync_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create the role groups and give each exactly the permissions listed above."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    if not wanted <= by_name.keys():
        # Some apps have not been migrated yet; a later post_migrate call finishes the job.
        return
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=str(role))
        group.permissions.set([by_name[p] for p in perms])
