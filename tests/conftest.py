"""Property-based tests run the same examples on every machine: CI is reproducible."""

from hypothesis import settings

settings.register_profile("mlpkit", derandomize=True, database=None, deadline=None)
settings.load_profile("mlpkit")
