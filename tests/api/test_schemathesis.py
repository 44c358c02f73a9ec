"""schemathesis against /api/openapi.json on the live server: no input makes a 5xx, and
every documented answer matches its schema.

The operations are driven with hypothesis directly: schemathesis' lazy pytest loader
(``schemathesis.pytest.from_fixture``) does not run under pytest 9.
"""

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.slow

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", 30))
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE


@pytest.mark.parametrize("mode", [POSITIVE, NEGATIVE])
def test_no_input_makes_a_server_error(live_server, specs, api_key, portrait_jpeg, mode):
    from photos.services.credits import credits_topup
    from photos.services.orders import source_image_create

    user, plain = api_key
    credits_topup(user=user, amount=10_000, reason="schemathesis")
    # Forms without an image only meet "send image_file, image_url or last_id": give the
    # generated ones a real photo to reuse, so they reach the task code.
    last_id = str(source_image_create(owner=user, data=portrait_jpeg).image_id)
    schema = schemathesis.openapi.from_url(live_server.url + "/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/tasks/visual/external/idphoto",
        "/api/tasks/visual/external/idphoto/{task_id}",
        "/api/results/{token}.jpg",
    }
    statuses: Counter = Counter()
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            if case.method == "POST" and mode == POSITIVE and isinstance(case.body, dict):
                case.body = {**case.body, "last_id": last_id}
                case.body.pop("image_url", None)
            response = case.call_and_validate(
                base_url=live_server.url,
                headers={"X-API-KEY": plain},  # the 401 answers have their own tests
                checks=[not_a_server_error, response_schema_conformance],
                timeout=60,
            )
            statuses[(case.method, response.status_code)] += 1

        try:
            check()
        except Unsatisfiable:
            # Negative data needs a constraint to break; a free-form string has none.
            assert mode == NEGATIVE, operation.path
    print(mode, sorted(statuses.items()))
    assert not [status for (_, status) in statuses if status >= 500]
    if mode == POSITIVE:
        assert statuses[("POST", 200)] > 0  # some inputs reach an accepted task
