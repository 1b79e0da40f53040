"""The networks ``mnetcalc table`` can cost, by name, and which of its options each one takes.

An entry names the module and the configuration class of its network without importing them, so
that the command line imports only the module of the network it is asked for
(:meth:`NetworkEntry.config_class`), and states what the command line and the live calculator page
must know before that: whether the network takes ``--alpha``, which ``--variant`` values (none: it
takes no ``--variant``), whether ``--classes 0`` (the body alone) applies, and its default
resolution and classes. Those facts are the configuration classes' own, stated once more here so
as not to import every class at start-up; tests/test_network_registry.py checks each entry
against its class. Imports nothing of mnetcalc.
"""

from __future__ import annotations

from importlib import import_module


class NetworkEntry:
    """One network: its name (``--network``), the module of mnetcalc and the name of its
    configuration class, whether it takes a width multiplier (``alpha``), its ``variants`` (the
    first is the default; empty: no ``--variant``), whether 0 classes (the body alone,
    ``body_only``) is allowed, its default input side (``resolution``) and number of ``classes``.

    A plain class, quicker to create at the command line's start-up than a ``namedtuple``."""

    __slots__ = (
        "name",
        "module",
        "config",
        "alpha",
        "variants",
        "body_only",
        "resolution",
        "classes",
    )

    def __init__(
        self,
        name: str,
        module: str,
        config: str,
        *,
        alpha: bool = False,
        variants: tuple[str, ...] = (),
        body_only: bool = False,
        resolution: int = 224,
        classes: int = 1000,
    ):
        self.name, self.module, self.config = name, module, config
        self.alpha, self.variants, self.body_only = alpha, variants, body_only
        self.resolution, self.classes = resolution, classes

    def __repr__(self) -> str:
        return f"NetworkEntry({self.name!r}, {self.module!r}, {self.config!r})"

    def config_class(self):
        """The configuration class (imports its module)."""
        return getattr(import_module(f".{self.module}", __package__), self.config)


#: The networks in the order the command line lists them; the first is its default.
NETWORKS = {
    entry.name: entry
    for entry in (
        NetworkEntry(
            "mobilenet_v1",
            "architecture",
            "MobileNetConfig",
            alpha=True,
            variants=("separable", "standard", "shallow"),
            body_only=True,
        ),
        # The networks of paper Tables 8-9: no width multiplier, no variant.
        NetworkEntry("vgg16", "zoo", "VGG16Config"),
        NetworkEntry("googlenet", "zoo", "GoogLeNetConfig"),
        NetworkEntry("alexnet", "zoo", "AlexNetConfig", resolution=227),
        NetworkEntry("squeezenet", "zoo", "SqueezeNetConfig", resolution=227),
        NetworkEntry("mobilenet_v2", "mobilenet_v2", "MobileNetV2Config", alpha=True),
        NetworkEntry(
            "ssd_mobilenet_v1",
            "detection",
            "SSDMobileNetV1Config",
            alpha=True,
            resolution=300,
            classes=91,
        ),
    )
}

#: The network costed when none is named.
DEFAULT_NETWORK = next(iter(NETWORKS))


def networks_with(field: str) -> list[str]:
    """The names of the networks whose entry's ``field`` is true (not empty), in order:
    ``networks_with("alpha")`` are those that take ``--alpha``."""
    return [entry.name for entry in NETWORKS.values() if getattr(entry, field)]


def defaults_shown(field: str, notes: dict[str, str] | None = None) -> str:
    """The default of ``field`` as a help text shows it: the default network's value, then each
    other value with the networks that have it (``"224; alexnet, squeezenet: 227"``); ``notes``
    adds words after a network's value."""
    notes = notes or {}
    default = getattr(NETWORKS[DEFAULT_NETWORK], field)
    others: dict[object, list[str]] = {}
    for entry in NETWORKS.values():
        value = getattr(entry, field)
        if value != default:
            others.setdefault(value, []).append(entry.name)
    parts = [str(default)]
    for value, names in others.items():
        note = "".join(f", {notes[name]}" for name in names if name in notes)
        parts.append(f"{', '.join(names)}: {value}{note}")
    return "; ".join(parts)


__all__ = ["DEFAULT_NETWORK", "NETWORKS", "NetworkEntry", "defaults_shown", "networks_with"]
