import os

import matplotlib

# tests/release/ are the tests of the student release (mlpkit release copies them into it):
# they assert that no solution is around, so they do not run in the instructor's copy.
collect_ignore = ["release"]

# Agg for this process only: an MPLBACKEND environment variable would leak into the
# kernels nbval starts and silence their inline figures.
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("course", deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
# CI (the environment variable CI set, as .ci/run and most CI services do): the same
# examples on every run, so that a red CI is reproducible and never a draw of the dice
settings.register_profile("ci", parent=settings.get_profile("course"), derandomize=True,
                          print_blob=True)
settings.register_profile("stress", deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "course"))


@pytest.fixture(autouse=True)
def _close_figures():
    """Every test starts with no open figure and leaves none (matplotlib warns at 20)."""
    yield
    plt.close("all")
