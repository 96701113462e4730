"""What every bad-input case asserts: the call raises the expected exception, of a type of ours,
Python's or scikit-learn's (never numpy's or pandas'), whose message holds every word."""

import warnings

import pytest

OUR_MODULES = ("builtins", "mlpkit", "sklearn")


def assert_refused(call, exception, words, *, quiet=False) -> None:
    """``call()`` raises ``exception`` whose message holds every word (case-insensitive);
    ``quiet`` silences the warnings the call gives on its way."""
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        with pytest.raises(exception) as caught:
            call()
    error = caught.value
    module = type(error).__module__.split(".")[0]
    assert module in OUR_MODULES, f"{type(error).__module__}.{type(error).__name__}: {error}"
    message = str(error).lower()
    missing = [word for word in words if word.lower() not in message]
    assert not missing, f"{missing} not in the message: {error}"
