"""Published ImageNet checkpoints: what a reader can download and deploy, as data.

A :class:`Checkpoint` is one released network with the numbers its release published: single-crop
ILSVRC-2012 validation top-1 (and top-5 where given), the release's mult-adds and parameters (in
millions, rounded as printed) and, where published, TF-Lite latency on a Pixel 1 phone's large core
(batch 1, milliseconds). Its ``network`` and ``options`` name the configuration of this library that
builds the same architecture (:meth:`Checkpoint.config`), so that its exact cost, its size and its
predicted latency on this machine come from the calculator, not from the release.

Sources: MobileNet v1, TensorFlow Models ``research/slim/nets/mobilenet_v1.md`` (TF-slim's release
of 2018-02-22, float and 8-bit quantization-aware checkpoints; these accuracies differ slightly
from the paper's Tables 6-7, which were measured on earlier checkpoints); MobileNetV2,
``research/slim/nets/mobilenet/README.md``. A network module adds its own checkpoints with
:func:`add_checkpoints` (later families, e.g. V3, live in their own modules).
"""

from __future__ import annotations

from importlib import import_module

from .record import Record


class Checkpoint(Record):
    """One published checkpoint: ``name`` (the release's file name), ``family`` ("v1", "v2", ...),
    the library ``network`` and its configuration ``options`` (a tuple of ``(name, value)`` pairs),
    whether it is 8-bit (``quantized``), the published ``top1`` / ``top5`` (percent), ``mult_adds_m``
    and ``params_m`` (millions, as printed) and ``pixel1_ms`` (None where not published)."""

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
        )

    def config(self):
        """The library's configuration of this checkpoint's architecture (1000 classes, as
        released; V2's and V3's releases have 1001 with a background class, which changes the
        classifier by one row)."""
        from .network_registry import NETWORKS

        return NETWORKS[self.network].config_class()(**dict(self.options))


#: MobileNet v1 (TF-slim, 2018-02-22): (alpha, resolution, MACs M, params M, top-1, top-5,
#: 8-bit top-1, 8-bit top-5).
_V1 = (
    (1.0, 224, 569, 4.24, 70.9, 89.9, 69.7, 89.5),
    (1.0, 192, 418, 4.24, 70.0, 89.2, 69.0, 88.9),
    (1.0, 160, 291, 4.24, 68.0, 87.7, 67.3, 87.7),
    (1.0, 128, 186, 4.24, 65.2, 85.8, 64.0, 85.5),
    (0.75, 224, 317, 2.59, 68.4, 88.2, 67.9, 88.1),
    (0.75, 192, 233, 2.59, 67.2, 87.3, 66.2, 87.1),
    (0.75, 160, 162, 2.59, 65.3, 86.0, 63.9, 85.5),
    (0.75, 128, 104, 2.59, 62.1, 83.9, 59.8, 82.8),
    (0.5, 224, 150, 1.34, 63.3, 84.9, 62.2, 84.5),
    (0.5, 192, 110, 1.34, 61.7, 83.6, 60.4, 83.2),
    (0.5, 160, 77, 1.34, 59.1, 81.9, 57.7, 81.3),
    (0.5, 128, 49, 1.34, 56.3, 79.4, 54.9, 78.9),
    (0.25, 224, 41, 0.47, 49.8, 74.2, 48.2, 73.8),
    (0.25, 192, 34, 0.47, 47.7, 72.3, 45.8, 71.9),
    (0.25, 160, 21, 0.47, 45.5, 70.3, 43.5, 69.1),
    (0.25, 128, 14, 0.47, 41.5, 66.3, 39.9, 65.8),
)

#: MobileNetV2 (TF-slim): (alpha, resolution, MACs M, params M, top-1, top-5, Pixel 1 ms).
_V2 = (
    (1.4, 224, 582, 6.06, 75.0, 92.5, 138.0),
    (1.3, 224, 509, 5.34, 74.4, 92.1, 123.0),
    (1.0, 224, 300, 3.47, 71.8, 91.0, 73.8),
    (1.0, 192, 221, 3.47, 70.7, 90.1, 55.1),
    (1.0, 160, 154, 3.47, 68.8, 89.0, 40.2),
    (1.0, 128, 99, 3.47, 65.3, 86.9, 27.6),
    (1.0, 96, 56, 3.47, 60.3, 83.2, 17.6),
    (0.75, 224, 209, 2.61, 69.8, 89.6, 55.8),
    (0.75, 192, 153, 2.61, 68.7, 88.9, 41.6),
    (0.75, 160, 107, 2.61, 66.4, 87.3, 30.4),
    (0.75, 128, 69, 2.61, 63.2, 85.3, 21.9),
    (0.75, 96, 39, 2.61, 58.8, 81.6, 14.2),
    (0.5, 224, 97, 1.95, 65.4, 86.4, 28.7),
    (0.5, 192, 71, 1.95, 63.9, 85.4, 21.1),
    (0.5, 160, 50, 1.95, 61.0, 83.2, 14.9),
    (0.5, 128, 32, 1.95, 57.7, 80.8, 9.9),
    (0.5, 96, 18, 1.95, 51.2, 75.8, 6.4),
    (0.35, 224, 59, 1.66, 60.3, 82.9, 19.7),
    (0.35, 192, 43, 1.66, 58.2, 81.2, 14.6),
    (0.35, 160, 30, 1.66, 55.7, 79.1, 10.5),
    (0.35, 128, 20, 1.66, 50.8, 75.0, 6.9),
    (0.35, 96, 11, 1.66, 45.5, 70.4, 4.5),
)


def _v1_checkpoints():
    for alpha, res, macs, params, top1, top5, q_top1, q_top5 in _V1:
        options = (("alpha", alpha), ("resolution", res))
        name = f"mobilenet_v1_{alpha}_{res}"
        common = dict(mult_adds_m=macs, params_m=params)
        yield Checkpoint(name, "v1", "mobilenet_v1", options, top1=top1, top5=top5, **common)
        yield Checkpoint(
            f"{name}_quant",
            "v1",
            "mobilenet_v1",
            options,
            quantized=True,
            top1=q_top1,
            top5=q_top5,
            **common,
        )


def _v2_checkpoints():
    for alpha, res, macs, params, top1, top5, pixel1 in _V2:
        yield Checkpoint(
            f"mobilenet_v2_{alpha}_{res}",
            "v2",
            "mobilenet_v2",
            (("alpha", alpha), ("resolution", res)),
            top1=top1,
            top5=top5,
            mult_adds_m=macs,
            params_m=params,
            pixel1_ms=pixel1,
        )


#: Every published checkpoint known to the library, in release order; network modules of later
#: families extend it through :data:`CHECKPOINT_MODULES`.
_CHECKPOINTS: list[Checkpoint] = [*_v1_checkpoints(), *_v2_checkpoints()]

#: Modules that hold further checkpoints as a module-level ``CHECKPOINTS`` sequence, imported on
#: first use (:func:`published_checkpoints`).
CHECKPOINT_MODULES: list[str] = []


def published_checkpoints() -> tuple[Checkpoint, ...]:
    """Every published checkpoint: v1 and V2 here, then those of :data:`CHECKPOINT_MODULES`."""
    extra = [
        checkpoint
        for module in CHECKPOINT_MODULES
        for checkpoint in import_module(module, __package__).CHECKPOINTS
    ]
    return (*_CHECKPOINTS, *extra)


def families() -> tuple[str, ...]:
    """The families of the published checkpoints, in order ("v1", "v2", ...)."""
    return tuple(dict.fromkeys(c.family for c in published_checkpoints()))
