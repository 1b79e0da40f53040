"""A small immutable record type for the torch-free core.

``dataclasses`` would do, but importing it (with ``inspect``) costs the command line about as much
start-up time as all of mnetcalc; this base class gives the few things the records need: fields set
once at construction, equality and hashing by value, a readable ``repr`` and ``replace``.
"""

from __future__ import annotations


class Record:
    """Immutable fields named in ``__slots__``, set once by :meth:`_set` in ``__init__``."""

    __slots__ = ()

    def _set(self, **values) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable; use replace()")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def fields(self) -> dict:
        """The record's fields, in order, as a new dict."""
        return {name: getattr(self, name) for name in self.__slots__}

    def replace(self, **changes):
        """A copy with some fields changed (and checked again)."""
        unknown_fields(type(self), changes)
        return type(self)(**{**self.fields(), **changes})

    def __reduce__(self):
        # copy, deepcopy and pickle rebuild the record through its constructor (which checks it)
        return (_rebuild, (type(self), self.fields()))

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.fields() == other.fields()

    def __hash__(self):
        return hash((type(self), tuple(self.fields().values())))

    def __repr__(self):
        values = ", ".join(f"{name}={value!r}" for name, value in self.fields().items())
        return f"{type(self).__name__}({values})"


def unknown_fields(cls, names) -> None:
    """Refuse (:class:`~mnetcalc.validation.InvalidArgument`, naming it) a name among ``names`` that
    is no field of the record type ``cls``."""
    unknown = [name for name in names if name not in cls.__slots__]
    if unknown:
        from ..validation import InvalidArgument

        other = OTHER_NAMES.get(unknown[0])
        hint = f"; {unknown[0]} is {other} here" if other in cls.__slots__ else ""
        raise InvalidArgument(
            f"{unknown[0]} is no field of {cls.__name__} (fields: {', '.join(cls.__slots__)})"
            + hint,
            unknown[0],
        )


#: Other libraries' names of our fields (torchvision's ``width_mult``), for error messages.
OTHER_NAMES = {"width_mult": "alpha", "res": "resolution", "classes": "num_classes"}


def _rebuild(cls, fields: dict):
    return cls(**fields)
