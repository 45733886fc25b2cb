"""Shared test configuration: hypothesis profiles.

- ``default``: quick, for local runs (a few dozen examples per property);
- ``ci``: many more examples, selected by ``HYPOTHESIS_PROFILE=ci`` (``.ci/run`` sets it).

Both have ``deadline=None``: how long one example takes on a shared CI machine is noise, not
a property of the code (speed is measured in ``bench/``, never asserted in tests).
"""

import os

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test dependency; without it its tests fail to import
    settings = None

if settings is not None:
    settings.register_profile("default", max_examples=40, deadline=None)
    settings.register_profile(
        "ci",
        max_examples=400,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
