import matplotlib

# tests/release/ are the tests of the student release (mlpkit release copies them into it):
# they assert that no solution is around, so they do not run in the instructor's copy.
collect_ignore = ["release"]

# Agg for this process only: an MPLBACKEND environment variable would leak into the
# kernels nbval starts and silence their inline figures.
matplotlib.use("Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("course", deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")
settings.register_profile("stress", deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
