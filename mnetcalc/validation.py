"""Argument checks shared by the Python API and the CLI.

Each check raises :class:`InvalidArgument` with a one-line message that names the bad value and
says what is allowed; the CLI prints that line and exits with status 2.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


class InvalidArgument(ValueError):
    """A parameter outside its allowed range (the message names the value and what is allowed).

    ``name`` is the parameter's name, so that a front end (the CLI) can say it in its own terms.
    """

    def __init__(self, message: str, name: str | None = None):
        super().__init__(message)
        self.name = name


class InputTooSmall(InvalidArgument):
    """A feature map smaller than a layer's window (the input resolution is too small)."""


#: The largest value each shared parameter may take, by name: beyond these no network is meant, and
#: counts and output would only overflow or mislead. The command line's help says them too. A
#: parameter of one network only has its limit in that network's module, passed as ``maximum``
#: (GoogLeNet's ``large_kernel``, MobileNet v1's ``stem_stride``).
LIMITS = {
    "alpha": 10.0,
    "rho": 10.0,
    "resolution": 10_000,
    "num_classes": 1_000_000,
    "in_channels": 10_000,
    "dk": 99,
    "m": 100_000,
    "n": 100_000,
    "df": 10_000,
    "threads": 1024,
    "batch": 100_000,
    "rounds": 10_000,
    "seconds": 3600.0,
    "epochs": 10_000,
    "batch_size": 100_000,
    "lr": 100.0,
    "shift": 1000,
    "train_size": 10**9,
    "seed": 2**63 - 1,
    "bytes_per_element": 64,
}


def shown(value) -> str:
    """``repr(value)``, its middle cut out if it is long (a value of thousands of digits)."""
    text = repr(value)
    if len(text) <= 60:
        return text
    length = len(value) if isinstance(value, str) else len(text)
    return f"{text[:25]}...{text[-25:]} ({length} characters)"


def _bad_number(name: str, value, maximum) -> InvalidArgument:
    allowed = "a finite number > 0" if maximum is None else f"a number in (0, {maximum:g}]"
    return InvalidArgument(f"{name} must be {allowed}, got {shown(value)}", name)


def _bad_int(name: str, value, maximum, minimum: int = 1, meaning: str = "") -> InvalidArgument:
    if maximum is not None:
        allowed = f"a whole number from {minimum} to {maximum}"
    else:
        allowed = "a positive integer" if minimum == 1 else f"a whole number >= {minimum}"
    return InvalidArgument(f"{name} must be {allowed}{meaning}, got {shown(value)}", name)


def positive_number(name: str, value) -> float:
    """A finite number > 0 (alpha, rho), at most ``LIMITS[name]`` if there is one."""
    maximum = LIMITS.get(name)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise _bad_number(name, value, maximum) from None
    if isinstance(value, bool) or not math.isfinite(number) or number <= 0:
        raise _bad_number(name, value, maximum)
    if maximum is not None and number > maximum:
        raise _bad_number(name, value, maximum)
    return number


def positive_int(name: str, value, maximum: int | None = None) -> int:
    """A whole number >= 1 (resolution, class count, channels), at most ``maximum`` (default:
    ``LIMITS[name]`` if there is one); ``"224"``, ``224.0`` and ``"1e3"`` are accepted."""
    return _whole_number(name, value, 1, maximum=maximum)


def non_negative_int(name: str, value, meaning: str = "") -> int:
    """A whole number >= 0 (MobileNet's class count, where 0 means no classifier), at most
    ``LIMITS[name]`` if there is one; ``meaning`` says in the error message what 0 stands for."""
    return _whole_number(name, value, 0, meaning)


def _whole_number(name: str, value, minimum: int, meaning: str = "", maximum=None) -> int:
    maximum = LIMITS.get(name) if maximum is None else maximum
    if isinstance(value, bool):
        raise _bad_int(name, value, maximum, minimum, meaning)
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            try:
                as_float = float(value)
            except (TypeError, ValueError, OverflowError):
                raise _bad_int(name, value, maximum, minimum, meaning) from None
            if not as_float.is_integer():
                raise _bad_int(name, value, maximum, minimum, meaning) from None
            number = int(as_float)
    if number < minimum or (maximum is not None and number > maximum):
        raise _bad_int(name, value, maximum, minimum, meaning)
    return number


def allowed_range(name: str, *, integer: bool) -> str:
    """How the help says a parameter's range: ``1 to 10000`` or ``(0, 10]``."""
    maximum = LIMITS[name]
    return f"1 to {maximum}" if integer else f"(0, {maximum:g}]"


def flag(name: str, value) -> bool:
    """A true/false switch: ``True``/``False`` (or 1/0), not a string such as ``"no"``."""
    if value in (True, False) and not isinstance(value, str):
        return bool(value)
    raise InvalidArgument(f"{name} must be True or False, got {value!r}", name)


def choice(name: str, value, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise InvalidArgument(f"{name} must be one of {', '.join(allowed)}; got {value!r}", name)
    return value
