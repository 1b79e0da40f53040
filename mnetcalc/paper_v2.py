"""MobileNetV2's printed numbers, as data, for the epilogue and its tests.

Two sources:

* Sandler et al. 2018 (arXiv:1801.04381), as quoted in the shared reference: 1.0 MobileNetV2-224
  has 300 million multiply-adds and 3.4 million parameters, 1.4 MobileNetV2-224 585 million and 6.9
  million (:data:`V2_PAPER`).
* TF-slim's table of its MobileNetV2 checkpoints (``research/slim/nets/mobilenet/README.md`` of
  tensorflow/models, "Mobilenet V2 Imagenet Checkpoints"): MACs (M) and parameters (M) of 22
  configurations, depth multiplier x resolution (:data:`SLIM_V2_TABLE`). The checkpoints classify
  1001 classes (ImageNet's and a background class). Its MACs column is the exact count truncated
  to whole millions (e.g. 300.8 is printed 300, 153.9 is 153), not rounded: :func:`truncated`.

Numbers are kept as printed text, as in :mod:`mnetcalc.paper`.
"""

from __future__ import annotations

import math

#: Classes of TF-slim's checkpoints: ImageNet's 1000 and background.
SLIM_CLASSES = 1001

#: Sandler et al.'s headline numbers: (alpha, resolution) -> (printed mult-adds (M), params (M)).
V2_PAPER = {(1.0, 224): ("300", "3.4"), (1.4, 224): ("585", "6.9")}

#: TF-slim's README: (alpha, resolution) -> (printed MACs (M), printed parameters (M)).
SLIM_V2_TABLE = {
    (1.4, 224): ("582", "6.06"),
    (1.3, 224): ("509", "5.34"),
    (1.0, 224): ("300", "3.47"),
    (1.0, 192): ("221", "3.47"),
    (1.0, 160): ("154", "3.47"),
    (1.0, 128): ("99", "3.47"),
    (1.0, 96): ("56", "3.47"),
    (0.75, 224): ("209", "2.61"),
    (0.75, 192): ("153", "2.61"),
    (0.75, 160): ("107", "2.61"),
    (0.75, 128): ("69", "2.61"),
    (0.75, 96): ("39", "2.61"),
    (0.5, 224): ("97", "1.95"),
    (0.5, 192): ("71", "1.95"),
    (0.5, 160): ("50", "1.95"),
    (0.5, 128): ("32", "1.95"),
    (0.5, 96): ("18", "1.95"),
    (0.35, 224): ("59", "1.66"),
    (0.35, 192): ("43", "1.66"),
    (0.35, 160): ("30", "1.66"),
    (0.35, 128): ("20", "1.66"),
    (0.35, 96): ("11", "1.66"),
}


def truncated(count: float, printed: str) -> bool:
    """Is ``printed`` the count (in millions) with its decimals cut off?"""
    return math.floor(count) == int(printed)


__all__ = ["SLIM_CLASSES", "SLIM_V2_TABLE", "V2_PAPER", "truncated"]
