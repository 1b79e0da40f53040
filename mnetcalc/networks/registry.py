"""The registry: every network of the library, by name, and which options each one takes. This is
the one list of networks; the command line, :func:`network_cost`, the paper's tables, the live
calculator page and the tests all read it.

Each network is one module of :mod:`mnetcalc.networks` named like the network
(``mnetcalc/networks/vgg16.py``), holding its configuration class, its spec, its input limits and
what the papers print about it. An entry names its configuration class without importing the
module, so that the command line imports only the module of the network it is asked for
(:meth:`NetworkEntry.config_class`), and states what the command line and the live calculator page
must know before that: whether the network takes ``--alpha``, which ``--variant`` values (none: it
takes no ``--variant``), whether ``--classes 0`` (the body alone) applies, and its default
resolution and classes. Those facts are the configuration classes' own, stated once more here so
as not to import every class at start-up; tests/networks/test_registry.py checks each entry
against its class. Imports nothing of mnetcalc but :mod:`mnetcalc.validation` and
:mod:`mnetcalc.core.record`.
"""

from __future__ import annotations

from importlib import import_module

from ..core.record import unknown_fields
from ..validation import InvalidArgument, choice


class NetworkEntry:
    """One network: its name (``--network``, also its module's name in :mod:`mnetcalc.networks`),
    the name of its configuration class, whether it takes a width multiplier (``alpha``), its
    ``variants`` (the first is the default; empty: no ``--variant``), whether 0 classes (the body
    alone, ``body_only``) is allowed, its default input side (``resolution``) and number of
    ``classes``, and whether its module publishes checkpoints (``checkpoints``: it has a function
    ``checkpoints()``, :func:`mnetcalc.latency_model.checkpoints.published_checkpoints`).

    A plain class, quicker to create at the command line's start-up than a ``namedtuple``."""

    __slots__ = (
        "name",
        "config",
        "alpha",
        "variants",
        "body_only",
        "resolution",
        "classes",
        "about",
        "classes_note",
        "checkpoints",
    )

    def __init__(
        self,
        name: str,
        config: str,
        *,
        alpha: bool = False,
        variants: tuple[str, ...] = (),
        body_only: bool = False,
        resolution: int = 224,
        classes: int = 1000,
        about: str = "",
        classes_note: str = "",
        checkpoints: bool = False,
    ):
        self.name, self.config = name, config
        self.alpha, self.variants, self.body_only = alpha, variants, body_only
        self.resolution, self.classes = resolution, classes
        self.about, self.classes_note = about, classes_note
        self.checkpoints = checkpoints

    def __repr__(self) -> str:
        return f"NetworkEntry({self.name!r}, {self.config!r})"

    def config_class(self):
        """The configuration class (imports its module)."""
        return getattr(import_module(f".{self.name}", __package__), self.config)


#: The networks in the order the command line lists them; the first is its default.
NETWORKS = {
    entry.name: entry
    for entry in (
        NetworkEntry(
            "mobilenet_v1",
            "MobileNetConfig",
            alpha=True,
            variants=("separable", "standard", "shallow"),
            body_only=True,
            checkpoints=True,
        ),
        # The networks of paper Tables 8-9: no width multiplier, no variant.
        NetworkEntry("vgg16", "VGG16Config"),
        NetworkEntry("googlenet", "GoogLeNetConfig"),
        NetworkEntry("alexnet", "AlexNetConfig", resolution=227),
        NetworkEntry("squeezenet", "SqueezeNetConfig", resolution=227),
        NetworkEntry("mobilenet_v2", "MobileNetV2Config", alpha=True, checkpoints=True),
        NetworkEntry(
            "mobilenet_v3",
            "MobileNetV3Config",
            alpha=True,
            variants=("large", "small", "large_minimalistic", "small_minimalistic"),
            checkpoints=True,
        ),
        NetworkEntry(
            "mobilenet_v4",
            "MobileNetV4Config",
            alpha=True,
            variants=(
                "conv_small",
                "conv_medium",
                "conv_large",
                "hybrid_medium",
                "hybrid_large",
                "conv_aa_medium",
                "conv_blur_medium",
                "conv_aa_large",
            ),
            about="MobileNetV4 as timm builds it, by default at its variant's resolution (224 for "
            "conv_small and conv_blur_medium, 256 for the other medium, 384 for the large ones)",
            checkpoints=True,
        ),
        NetworkEntry(
            "ssd_mobilenet_v1",
            "SSDMobileNetV1Config",
            alpha=True,
            resolution=300,
            classes=91,
            about="SSD 300 as the TensorFlow Object Detection API's ssd_mobilenet_v1_coco.config "
            "builds it (Table 13)",
            classes_note="background included",
        ),
    )
}

#: The network costed when none is named.
DEFAULT_NETWORK = next(iter(NETWORKS))


def _squeezed(name: str) -> str:
    return "".join(c for c in str(name).lower() if c.isalnum())


def suggestion(name) -> str:
    """What an unknown network name most likely meant, as words for an error message (empty if
    nothing is close): ``"mobilenetv2"`` -> ``"mobilenet_v2"``, torchvision's
    ``"mobilenet_v3_small"`` -> ``"mobilenet_v3 with variant='small'"``."""
    wanted = _squeezed(name)
    for entry in NETWORKS.values():
        squeezed = _squeezed(entry.name)
        if wanted == squeezed:
            return entry.name
        for variant in entry.variants:
            if wanted == squeezed + _squeezed(variant):
                return f"{entry.name} with variant={variant!r}"
    return ""


def config_class(name: str):
    """The configuration class of the network called ``name`` (imports its module only); an
    unknown name raises :class:`~mnetcalc.validation.InvalidArgument` listing the names, with
    the one it most likely meant (``"MobileNetV2"``: ``mobilenet_v2``)."""
    if name not in NETWORKS:
        meant = suggestion(name)
        try:
            choice("network", name, NETWORKS)
        except InvalidArgument as error:
            hint = f" (did you mean {meant}?)" if meant else ""
            raise InvalidArgument(f"{error}{hint}", "network") from None
    return NETWORKS[name].config_class()


def network_cost(name: str, **options):
    """The cost report of the network called ``name`` (any name of :data:`NETWORKS`), with
    ``options`` as keyword arguments of its configuration class (each network's own defaults
    otherwise): ``network_cost("mobilenet_v2", alpha=0.5)``, ``network_cost("alexnet",
    resolution=224)``."""
    return config(name, **options).cost()


def config(name: str, **options):
    """The configuration of the network called ``name`` (any name of :func:`list_networks`), with
    ``options`` as keyword arguments of its configuration class (each network's own defaults
    otherwise): ``config("mobilenet_v3", alpha=0.75, variant="small")``. From it come ``.cost()``,
    ``.spec()`` and, with torch, ``.model()``, for every network alike."""
    config_type = config_class(name)
    unknown_fields(config_type, options)
    return config_type(**options)


def list_networks() -> list[str]:
    """The names of every network of the library, in the command line's order (the first is its
    default); each is a name :func:`config` and ``mnetcalc table --network`` take."""
    return list(NETWORKS)


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


__all__ = [
    "DEFAULT_NETWORK",
    "NETWORKS",
    "NetworkEntry",
    "config",
    "config_class",
    "defaults_shown",
    "list_networks",
    "network_cost",
    "networks_with",
    "suggestion",
]
