"""`validate_fields`: the fields are checked in Python, the constraints left to PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from consultations.db import validate_fields
from consultations.screening.models import Screening

pytestmark = pytest.mark.django_db


def test_a_bad_field_value_is_refused_without_asking_the_database(submitted) -> None:
    screening = Screening(
        intake=submitted, ruleset="x" * 500, input={"a": 1}, result={"a": 1}, outcome="clear"
    )
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as error:
        validate_fields(screening)
    assert "ruleset" in error.value.message_dict
    assert len(queries) == 0


def test_what_it_leaves_out_the_database_still_refuses(submitted) -> None:
    # The outcome and its severity must agree: a CheckConstraint Django would have queried.
    screening = Screening(
        intake=submitted, ruleset="r1", input={"a": 1}, result={"a": 1}, outcome="clear", severity=2
    )
    with CaptureQueriesContext(connection) as queries:
        validate_fields(screening)
    assert len(queries) == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        screening.save()
