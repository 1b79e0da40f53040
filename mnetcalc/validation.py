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


def positive_number(name: str, value) -> float:
    """A finite number > 0 (alpha, rho)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a number > 0, got {value!r}", name) from None
    if isinstance(value, bool) or not math.isfinite(number) or number <= 0:
        raise InvalidArgument(f"{name} must be a finite number > 0, got {value!r}", name)
    return number


def positive_int(name: str, value) -> int:
    """A whole number >= 1 (resolution, class count, channels); ``"224"`` and ``224.0`` are
    accepted."""
    return _whole_number(name, value, 1, "a positive integer")


def non_negative_int(name: str, value, meaning: str = "") -> int:
    """A whole number >= 0 (MobileNet's class count, where 0 means no classifier); ``meaning``
    says in the error message what 0 stands for."""
    return _whole_number(name, value, 0, f"a whole number >= 0{meaning}")


def _whole_number(name: str, value, minimum: int, what: str) -> int:
    error = InvalidArgument(f"{name} must be {what}, got {value!r}", name)
    if isinstance(value, bool):
        raise error
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            try:
                as_float = float(value)
            except (TypeError, ValueError):
                raise error from None
            if not as_float.is_integer():
                raise error from None
            number = int(as_float)
    if number < minimum:
        raise error
    return number


def choice(name: str, value, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise InvalidArgument(f"{name} must be one of {', '.join(allowed)}; got {value!r}", name)
    return value
