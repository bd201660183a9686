import matplotlib

# Agg for this process only: an MPLBACKEND environment variable would leak into the
# kernels nbval starts and silence their inline figures.
matplotlib.use("Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("course", deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")
settings.register_profile("stress", deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
