"""SSD 300 with a MobileNet v1 backbone (paper Table 13), as data, costed by the same engine.

The paper does not describe its detector; it follows Huang et al. 2017, whose public code is the
TensorFlow Object Detection API. This spec is that API's ``ssd_mobilenet_v1`` model as its sample
configuration ``ssd_mobilenet_v1_coco.config`` builds it (``ssd_mobilenet_v1_feature_extractor.py``,
``feature_map_generators.multi_resolution_feature_maps``, ``convolutional_box_predictor``).

What the published configuration and code fix:

* the backbone: MobileNet v1 (:func:`~mnetcalc.networks.mobilenet_v1.mobilenet_v1_spec`) up to
  ``Conv2d_13_pointwise`` (our ``conv13_pw``), without pooling and classifier, at
  ``depth_multiplier`` ``alpha`` with ``min_depth: 16``: a layer has ``max(floor(alpha * c), 16)``
  channels (the classifier's rule has 8; see :func:`_depth`);
* the six feature maps the predictor sees: ``Conv2d_11_pointwise`` (19x19x512 at 300 pixels),
  ``Conv2d_13_pointwise`` (10x10x1024), then four extra layers, each a 1x1 convolution to half
  the layer's depth then a 3x3 stride-2 convolution to its depth, for depths 512, 256, 256, 128
  (``layer_depth``; halved and scaled by ``max(floor(alpha * d), min_depth)``), "SAME" padding,
  standard (not depthwise: ``use_depthwise`` is false) convolutions with BatchNorm and ReLU6;
* the box predictor: ``convolutional_box_predictor`` with ``kernel_size: 1``,
  ``num_layers_before_predictor: 0``: on each feature map, one 1x1 convolution to ``anchors x
  4`` box-code channels (``box_code_size: 4``) and one to ``anchors x 91`` class channels
  (``num_classes: 90`` and a background class), each with a bias, without BatchNorm or activation;
* the anchors per location: ``ssd_anchor_generator`` with ``num_layers: 6`` and five aspect ratios
  (1, 2, 1/2, 3, 1/3), plus one extra scale for ratio 1, gives 6; its default
  ``reduce_boxes_in_lowest_layer: true`` gives the first map 3 (:data:`ANCHORS_PER_LOCATION`);
  1917 anchors in all at 300 pixels.

What we had to choose:

* "SAME" padding, as TensorFlow's: the output side is ``ceil(side / stride)`` (19 -> 10 -> 5 -> 3 ->
  2 -> 1). TensorFlow pads a stride-2 layer's even input on the bottom and right only, the PyTorch
  model symmetrically (``kernel // 2``); the sides and the counts are the same.
* what is counted: the convolutions (backbone, extra layers, predictors), weights only, as for the
  classifiers; the anchors, the box decoding and the non-maximum suppression that follow the
  network have no multiply-adds of a convolution and are not counted.
* the PyTorch model returns the twelve raw predictor maps (box and class of each feature map, in
  order); reshaping them into per-anchor rows is free and left out.
* ReLU6 is used where the configuration says so (no effect on any count).
"""

from __future__ import annotations

from ..core.channels import floor_channels
from ..core.layers import RELU6, TAP, Conv, DepthwiseConv, Tap
from ..core.network import NetworkConfig, NetworkCost, NetworkSpec
from ..validation import positive_int, positive_number
from .mobilenet_v1 import mobilenet_v1_spec

#: The backbone layers whose outputs feed the box predictor (``Conv2d_11_pointwise`` and
#: ``Conv2d_13_pointwise`` of ``ssd_mobilenet_v1_feature_extractor.py``'s feature map layout).
BACKBONE_TAPS = ("conv11_pw", "conv13_pw")

#: ``layer_depth`` of the four extra feature layers (the layout's ``[-1, -1, 512, 256, 256, 128]``).
EXTRA_DEPTHS = (512, 256, 256, 128)

#: Anchors per location on each of the six feature maps (see the module's docstring).
ANCHORS_PER_LOCATION = (3, 6, 6, 6, 6, 6)

#: ``box_code_size``: a box is encoded by 4 numbers (centre offsets and log scales).
BOX_CODE_SIZE = 4

#: ``num_classes: 90`` (COCO's categories) and the background class the predictor adds.
COCO_CLASSES = 91

#: ``min_depth`` of the configuration's feature extractor.
MIN_DEPTH = 16

#: The parts of the detector, in order, for :func:`ssd_split`.
SSD_PARTS = ("backbone", "extra layers", "heads")


def _head(anchors: int, num_classes: int) -> Tap:
    """The box predictor on one feature map: two linear 1x1 convolutions with biases, no
    BatchNorm."""

    def predictor(channels: int) -> Conv:
        return Conv(channels, 1, batchnorm=False, bias=True, activation=None)

    return Tap(
        (
            (("box", predictor(anchors * BOX_CODE_SIZE)),),
            (("class", predictor(anchors * num_classes)),),
        )
    )


def ssd_mobilenet_v1_spec(
    alpha: float = 1.0, *, num_classes: int = COCO_CLASSES, min_depth: int = MIN_DEPTH
) -> NetworkSpec:
    """SSD with a MobileNet v1 backbone as ``(name, layer)`` pairs: the backbone's ``conv0`` ...
    ``conv13_pw``, the extra layers ``extra{i}_1x1`` and ``extra{i}_3x3`` (``i`` = 2 ... 5, the
    feature maps' indices), and the predictors ``head{i}`` (``i`` = 0 ... 5), each a
    :class:`~mnetcalc.core.layers.Tap` with parts ``box`` and ``class`` placed after the layer whose
    output it sees. ``num_classes`` counts the background class."""
    alpha = positive_number("alpha", alpha)
    num_classes = positive_int("num_classes", num_classes)
    min_depth = positive_int("min_depth", min_depth)
    heads = iter(enumerate(ANCHORS_PER_LOCATION))

    def head() -> tuple[str, Tap]:
        index, anchors = next(heads)
        return (f"head{index}", _head(anchors, num_classes))

    spec: list = []
    for name, layer in mobilenet_v1_spec(1.0):  # Table 1's channels, scaled here
        if not isinstance(layer, (Conv, DepthwiseConv)):
            break  # the backbone ends before the pooling and the classifier
        if isinstance(layer, Conv):
            layer = layer._replace(
                out_channels=floor_channels(layer.out_channels, alpha, min_depth)
            )
        spec.append((name, layer._replace(activation=RELU6)))
        if name in BACKBONE_TAPS:
            spec.append(head())
    for index, depth in enumerate(EXTRA_DEPTHS, start=len(BACKBONE_TAPS)):
        reduce = Conv(floor_channels(depth / 2, alpha, min_depth), 1, activation=RELU6)
        expand = Conv(floor_channels(depth, alpha, min_depth), 3, 2, activation=RELU6)
        spec += [(f"extra{index}_1x1", reduce), (f"extra{index}_3x3", expand)]
        spec.append(head())
    return tuple(spec)


class SSDMobileNetV1Config(NetworkConfig):
    """SSD with a MobileNet v1 backbone: ``alpha`` (the configuration's ``depth_multiplier``), input
    ``resolution`` (300: ``fixed_shape_resizer``), ``num_classes`` (class slots the predictor
    outputs, background included: 91 for COCO), ``min_depth``, input channels."""

    field_checks = {
        "alpha": positive_number,
        "resolution": positive_int,
        "num_classes": positive_int,
        "min_depth": positive_int,
        "in_channels": positive_int,
    }
    __slots__ = tuple(field_checks)
    network = "ssd_mobilenet_v1"
    quiet_defaults = {"min_depth": MIN_DEPTH, "in_channels": 3}

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        resolution: int = 300,
        num_classes: int = COCO_CLASSES,
        min_depth: int = MIN_DEPTH,
        in_channels: int = 3,
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return ssd_mobilenet_v1_spec(
            self.alpha, num_classes=self.num_classes, min_depth=self.min_depth
        )


def ssd_mobilenet_v1_cost(alpha: float = 1.0, **options) -> NetworkCost:
    """Per-layer costs of SSD MobileNet v1: ``SSDMobileNetV1Config(alpha, **options).cost()``."""
    return SSDMobileNetV1Config(alpha, **options).cost()


def ssd_part(row) -> str:
    """Which of :data:`SSD_PARTS` a row of an SSD report belongs to (by its name)."""
    if row.name.startswith("head"):
        return "heads"
    if row.name.startswith("extra"):
        return "extra layers"
    return "backbone"


def ssd_split(report: NetworkCost) -> dict[str, dict]:
    """Mult-adds and weights of the backbone, the extra layers and the heads, with their shares."""
    return report.summary(ssd_part, ("mult_adds", "params"), SSD_PARTS)


def num_anchors(report: NetworkCost) -> int:
    """The anchors of an SSD report: each head's map side squared times its anchors per
    location."""
    taps = [row for row in report.layers if row.type == TAP]
    return sum(
        row.output_size**2 * anchors
        for row, anchors in zip(taps, ANCHORS_PER_LOCATION, strict=True)
    )


__all__ = [
    "ANCHORS_PER_LOCATION",
    "BACKBONE_TAPS",
    "BOX_CODE_SIZE",
    "COCO_CLASSES",
    "EXTRA_DEPTHS",
    "MIN_DEPTH",
    "SSD_PARTS",
    "SSDMobileNetV1Config",
    "num_anchors",
    "ssd_mobilenet_v1_cost",
    "ssd_mobilenet_v1_spec",
    "ssd_part",
    "ssd_split",
]
