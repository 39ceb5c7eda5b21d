from django.http import HttpRequest

from consultations.patients.models import Role


def roles(request: HttpRequest) -> dict[str, object]:
    """Expose the role vocabulary and the user's roles to templates (for navigation only)."""
    user = getattr(request, "user", None)
    user_roles = user.roles if user is not None and user.is_authenticated else frozenset()
    return {"Role": Role, "user_roles": user_roles}
