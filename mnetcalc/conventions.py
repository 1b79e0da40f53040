"""Counting conventions: what one chooses to count changes the totals a paper prints.

A :class:`Convention` says which parts of a :class:`~mnetcalc.core.network.NetworkCost` it adds up:

* ``classifier``: include the last layer with weights (the fully connected classifier; SqueezeNet's
  ``conv10``), or count the feature extractor only (a MobileNet body, ``num_classes=0``, has no
  classifier to leave out); ``fully_connected``: include the fully connected
  layers (VGG16 and AlexNet have three), or count the convolutions only;
* ``biases`` and ``batchnorm``: add the biases and BatchNorm's learned scale and shift to the
  weights (the paper counts weights only);
* ``flops``: report floating-point operations, a multiply and an add each, i.e. twice the mult-adds
  (what many later papers and tools call "FLOPs"; fvcore and the paper count one per mult-add).

:func:`rho_scaled` is the other shortcut the paper takes: scaling a network's count at one
resolution by ``rho**2`` instead of counting again, which also scales the classifier, whose cost
does not depend on the resolution.

Pure Python, like the calculator.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core.layers import FC, LayerCost
from .core.network import NetworkCost
from .validation import positive_int


def classifier_row(report: NetworkCost) -> LayerCost:
    """The network's classifier: its last layer that has weights."""
    return [row for row in report.layers if row.params][-1]


@dataclass(frozen=True)
class Convention:
    """What to count. The defaults are the paper's: every conv and FC mult-add, weights only."""

    name: str = "paper"
    classifier: bool = True
    fully_connected: bool = True
    biases: bool = False
    batchnorm: bool = False
    flops: bool = False

    def counted(self, report: NetworkCost) -> tuple[LayerCost, ...]:
        """The rows this convention counts."""
        rows = report.layers
        if not self.classifier and not getattr(report.config, "body_only", False):
            last = classifier_row(report)
            rows = tuple(row for row in rows if row is not last)
        if not self.fully_connected:
            rows = tuple(row for row in rows if row.type != FC)
        return rows

    def mult_adds(self, report: NetworkCost) -> int:
        """Operations under this convention (mult-adds, or FLOPs = 2 x mult-adds)."""
        count = sum(row.mult_adds for row in self.counted(report))
        return 2 * count if self.flops else count

    def params(self, report: NetworkCost) -> int:
        """Parameters under this convention."""
        rows = self.counted(report)
        total = sum(row.params for row in rows)
        if self.biases:
            total += sum(row.bias_params for row in rows)
        if self.batchnorm:
            total += sum(row.bn_params for row in rows)
        return total


#: The conventions the appendix compares, the paper's first.
CONVENTIONS = (
    Convention("paper"),
    Convention("no classifier", classifier=False),
    Convention("convolutions only", fully_connected=False),
    Convention("with biases", biases=True),
    Convention("with biases and BatchNorm", biases=True, batchnorm=True),
    Convention("FLOPs", flops=True),
)


def rho_scaled(report: NetworkCost, resolution: int) -> float:
    """The report's mult-adds scaled by ``(resolution / its resolution)**2``, classifier included:
    the paper's shortcut for Table 7, exact for every convolution here, not for the classifier."""
    resolution = positive_int("resolution", resolution)
    rho = resolution / report.config.resolution
    return report.mult_adds * rho * rho
