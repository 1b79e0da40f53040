"""Published ImageNet checkpoints: what a reader can download and deploy, as data.

A :class:`Checkpoint` is one released network with the numbers its release published: single-crop
ILSVRC-2012 validation top-1 (and top-5 where given), the release's mult-adds and parameters (in
millions, rounded as printed) and, where published, TF-Lite latency on a Pixel 1 phone's large core
(batch 1, milliseconds). Its ``network`` and ``options`` name the configuration of this library that
builds the same architecture (:meth:`Checkpoint.config`), so that its exact cost, its size and its
predicted latency on this machine come from the calculator, not from the release.

Each network's module holds its own checkpoints, as published, in a function ``checkpoints()``
that returns them (:func:`published_checkpoints` collects them through the registry); the module
says where they were published.
"""

from __future__ import annotations

from importlib import import_module

from ..core.record import Record

#: Where TF-slim published the v1-V3 checkpoints (the default ``source``).
TF_SLIM_SOURCE = "tensorflow/models, research/slim (mobilenet_v1.md, mobilenet/README.md)"


class Checkpoint(Record):
    """One published checkpoint: ``name`` (the release's file name), ``family`` ("v1", "v2", ...),
    the library ``network`` and its configuration ``options`` (a tuple of ``(name, value)`` pairs),
    whether it is 8-bit (``quantized``), the published ``top1`` / ``top5`` (percent),
    ``mult_adds_m`` and ``params_m`` (millions, as printed) and ``pixel1_ms`` (None where not
    published); who trained it (``trainer``: "TF-slim" for the v1-V3 releases, "timm" for
    MobileNetV4's), whether it saw more data than ImageNet-1k (``extra_data``: ImageNet-12k
    pre-training) and where it was published (``source``)."""

    __slots__ = (
        "name",
        "family",
        "network",
        "options",
        "quantized",
        "top1",
        "top5",
        "mult_adds_m",
        "params_m",
        "pixel1_ms",
        "trainer",
        "extra_data",
        "source",
    )

    def __init__(
        self,
        name: str,
        family: str,
        network: str,
        options: tuple,
        *,
        quantized: bool = False,
        top1: float,
        top5: float | None = None,
        mult_adds_m: float,
        params_m: float,
        pixel1_ms: float | None = None,
        trainer: str = "TF-slim",
        extra_data: bool = False,
        source: str = TF_SLIM_SOURCE,
    ):
        self._set(
            name=name,
            family=family,
            network=network,
            options=tuple(options),
            quantized=bool(quantized),
            top1=top1,
            top5=top5,
            mult_adds_m=mult_adds_m,
            params_m=params_m,
            pixel1_ms=pixel1_ms,
            trainer=trainer,
            extra_data=bool(extra_data),
            source=source,
        )

    def config(self):
        """The library's configuration of this checkpoint's architecture (1000 classes, as
        released; V2's and V3's releases have 1001 with a background class, which changes the
        classifier by one row)."""
        from ..networks.registry import NETWORKS

        return NETWORKS[self.network].config_class()(**dict(self.options))


def _network_modules() -> list:
    """The module of every registered network that publishes checkpoints (its entry says so),
    imported here, on first use; the others are not imported (``mnetcalc choose`` starts faster)."""
    from ..networks.registry import NETWORKS

    return [
        import_module(f"..networks.{name}", __package__)
        for name, entry in NETWORKS.items()
        if entry.checkpoints
    ]


def published_checkpoints() -> tuple[Checkpoint, ...]:
    """Every published checkpoint: those of each registered network's module that has a
    ``checkpoints()`` (its registry entry says ``checkpoints``), in the registry's order."""
    return tuple(checkpoint for module in _network_modules() for checkpoint in module.checkpoints())


def families() -> tuple[str, ...]:
    """The families of the published checkpoints, in order ("v1", "v2", ...)."""
    return tuple(dict.fromkeys(c.family for c in published_checkpoints()))
