"""MobileNetV4 (Qin et al., ECCV 2024, "MobileNetV4: Universal Models for the Mobile Ecosystem",
arXiv:2404.10518) as data, costed by the same engine: one network, ``mobilenet_v4``, with the
five variants the authors released and timm builds (``timm/models/mobilenetv3.py``,
``_gen_mobilenet_v4``; block for block the authors' TensorFlow reference,
``official/vision/modeling/backbones/mobilenet.py``): "conv_small", "conv_medium", "conv_large",
"hybrid_medium", "hybrid_large".

**The blocks.** MobileNetV4's common form is the *universal inverted bottleneck* (UIB,
:class:`UIB`): an optional ``a`` x ``a`` depthwise convolution on the input (``dw_start``,
BatchNorm, no activation), a 1x1 expansion to ``expansion`` x the input's channels, an optional
``k`` x ``k`` depthwise convolution on the expanded map (``dw_mid``, carrying the stride when
present), a linear 1x1 projection, and the input added when the stride is 1 and the channels are
kept. The two optional depthwise convolutions give four blocks: both (*ExtraDW*), the middle one
only (MobileNetV2's inverted bottleneck, *IB*), the start one only (*ConvNeXt-like*: the spatial
mixing before the expansion, on the narrow map), neither (*FFN*: two 1x1 convolutions, a
transformer's feed-forward block). The networks also use *FusedIB* (:class:`FusedIB`: a full ``k`` x
``k`` convolution expanding the channels, then a 1x1 projection; the first block of M and L, on the
112 x 112 map) and plain convolutions
(Conv-S's first four layers, the 1x1 convolution to 960 before the pooling).

**Mobile MQA** (:class:`MobileMQA`, the hybrids' attention block): BatchNorm on the input, then
multi-query attention (:class:`MultiQueryAttention`, Shazeer 2019): ``heads`` queries per pixel (a
1x1 convolution to ``heads`` x ``key_dim`` channels, N = H x W tokens), but one key and one value
shared by all heads (1x1 convolutions to ``key_dim`` channels each), computed on a map that its own
stride-2 3x3 depthwise convolution (with BatchNorm) has first down-sampled in the 160/192-channel
stage (M = N / 4 tokens for even sides; in the 256/512-channel stage M = N). The scores ``softmax(Q
K^T / sqrt(key_dim))`` and their product with V are two matrix products of ``heads`` x N x M x
``key_dim`` mult-adds each (rows of type :data:`~mnetcalc.core.layers.MATMUL`); a 1x1 convolution
projects the heads back; layer scale (a learned factor per channel, 1e-5 at initialisation) and the
shortcut close the block. Sharing keys and values leaves the two products' mult-adds as they are,
but each query reads ``heads`` times fewer key and value numbers than multi-head attention's, and
the key and value projections shrink from ``heads`` x ``key_dim`` to ``key_dim`` channels; the
down-sampled keys and values cut M, and with it both products, by about 4. The paper's abstract
credits Mobile MQA with "a significant 39% speedup" on mobile accelerators. The hybrids use layer
scale on every UIB and MQA block; Hybrid-L uses GELU, all others ReLU.

**Channels** (timm's ``round_channels``, i.e. :func:`~mnetcalc.core.channels.make_divisible` of
``alpha`` x the block's channels): every block's output; the stem too, except below ``alpha`` 1,
where it keeps its 32 (24) channels (timm's ``fix_stem``); an expansion is ``make_divisible`` of
the expansion ratio times the block's *rounded input* channels; the 1280 channels after the pooling
and the attention's heads and key width are never scaled.

**Counting** follows the library (the v1 paper's convention): mult-adds of the convolutions, the
classifier and, new here, the two attention matrix products; BatchNorm, the activations, softmax,
the scaling of the queries, layer scale and the residual sums are free. Parameters are the weights
(layer scale's factors included), the classifier's bias and BatchNorm's scale and shift; their sum
``total_params`` is timm's ``sum(p.numel())``. Both equal fvcore's count of timm's model (conv +
linear + matmul, fused attention off) at every width and resolution tried
(tests/networks/test_mobilenet_v4.py, numbers from tests/peers/mobilenet_v4_timm.py). timm's
published GMACs (``results/benchmark-infer-*.csv``) are fvcore's *default* count, which adds 2 per
BatchNorm output element and 1 per element of the globally pooled map (fvcore's
``adaptive_avg_pool2d`` handle): :func:`timm_mult_adds` reproduces them from these rows.

Costs at each variant's default resolution (the paper's and timm's: :data:`DEFAULT_RESOLUTIONS`),
from this calculator (tests/networks/test_mobilenet_v4.py asserts them):

================  =====  =============  ===============  ==========  ============
variant           input  mult-adds (M)  of which matmul  params (M)  timm GMACs
================  =====  =============  ===============  ==========  ============
conv_small          224         186.01             0.00        3.77          0.19
conv_medium         256        1080.24             0.00        9.72          1.10
conv_large          384        6376.22             0.00       32.59          6.43
hybrid_medium       256        1271.18            41.94       11.07          1.29
hybrid_large        384        7711.88           339.74       37.76          7.77
conv_aa_medium      256        1561.80             0.00        9.72          1.58
conv_blur_medium    224        1202.58             0.00        9.72          1.22
conv_aa_large       384        7007.59             0.00       32.59          7.07
================  =====  =============  ===============  ==========  ============

**The paper's Params/MACs** (its ImageNet table as transcribed: Conv-M 9.2 M / 1.0 G, Hybrid-M
10.5 M / 1.2 G, Conv-L 31.0 M / 5.9 G, Hybrid-L 35.9 M / 7.2 G) are smaller than those of the
released architectures (9.72 M / 1.08 G, 11.07 M / 1.27 G, 32.59 M / 6.38 G, 37.76 M / 7.71 G);
Conv-S agrees (3.8 M / 0.2 G against 3.77 M / 0.19 G). No part of the network accounts for the
gaps: they are 4.9 to 5.4 % of the parameters of all four (0.52, 0.57, 1.59, 1.86 M) and 5 to 8 % of
their mult-adds (as far as one-decimal GMACs say), whereas the classifier (1.28 M) is larger than
Conv-M's gap and smaller than Conv-L's, and BatchNorm (0.07 to 0.16 M) is far smaller than any.
The paper's primary tables could not be read here (only third-party transcriptions of them), and
nothing reachable says which network it counted: the difference is unexplained. This module follows
the released code, for which trained weights exist.

**timm's anti-aliased variants** (not the paper's): "conv_aa_medium" and "conv_aa_large" run
every strided convolution after the stem (FusedIB's expansion, the strided UIBs' middle depthwise)
at stride 1, then average 2x2 windows; "conv_blur_medium" blurs with a fixed 3x3 binomial filter at
stride 2 instead (:class:`BlurPool`, whose 9 mult-adds per output element count). Same parameters,
more mult-adds (Conv-M at 256: 1.56 G against 1.08 G).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from functools import partial

from ..core.channels import make_divisible
from ..core.layers import (
    AVGPOOL,
    BATCHNORM,
    GELU,
    LAYER_SCALE,
    MATMUL,
    RELU,
    SOFTMAX,
    Chain,
    Conv,
    DepthwiseConv,
    FullyConnected,
    LayerCost,
    Pool,
    Residual,
)
from ..core.network import NetworkConfig, NetworkSpec
from ..validation import choice, positive_int, positive_number
from ._mobilenet_v4_layers import (
    KV_KERNEL,
    LAYER_SCALE_INIT,
    BatchNorm,
    BlurPool,
    LayerScale,
    MultiQueryAttention,
)

#: The variants (timm's names without ``mobilenetv4_``); the first is the default. The last three
#: are timm's anti-aliased versions of Conv-M and Conv-L (not the paper's).
VARIANTS = (
    "conv_small",
    "conv_medium",
    "conv_large",
    "hybrid_medium",
    "hybrid_large",
    "conv_aa_medium",
    "conv_blur_medium",
    "conv_aa_large",
)

#: Each variant's default input side: the paper's and its timm checkpoints' training resolution.
DEFAULT_RESOLUTIONS = {
    "conv_small": 224,
    "conv_medium": 256,
    "conv_large": 384,
    "hybrid_medium": 256,
    "hybrid_large": 384,
    "conv_aa_medium": 256,
    "conv_blur_medium": 224,
    "conv_aa_large": 384,
}

#: Channels after the pooling (never scaled).
HEAD_CHANNELS = 1280

# The blocks, stage by stage, in this module's notation (channels before the width multiplier;
# ``n``: repeats, of which only the first has the stride):
#   ("conv", n, kernel, stride, out)                  a convolution, BatchNorm, activation
#   ("fused", n, kernel, stride, expansion, out)      FusedIB
#   ("uib", n, start dw, middle dw, stride, expansion, out)   UIB (0: no such depthwise conv)
#   ("mqa", n, heads, key_dim, kv_stride, out)        Mobile MQA
_LAST = (("conv", 1, 1, 1, 960),)

CONV_SMALL = (
    (("conv", 1, 3, 2, 32), ("conv", 1, 1, 1, 32)),
    (("conv", 1, 3, 2, 96), ("conv", 1, 1, 1, 64)),
    (("uib", 1, 5, 5, 2, 3, 96), ("uib", 4, 0, 3, 1, 2, 96), ("uib", 1, 3, 0, 1, 4, 96)),
    (("uib", 1, 3, 3, 2, 6, 128), ("uib", 1, 5, 5, 1, 4, 128), ("uib", 1, 0, 5, 1, 4, 128),
     ("uib", 1, 0, 5, 1, 3, 128), ("uib", 2, 0, 3, 1, 4, 128)),
    _LAST,
)  # fmt: skip

CONV_MEDIUM = (
    (("fused", 1, 3, 2, 4, 48),),
    (("uib", 1, 3, 5, 2, 4, 80), ("uib", 1, 3, 3, 1, 2, 80)),
    (("uib", 1, 3, 5, 2, 6, 160), ("uib", 2, 3, 3, 1, 4, 160), ("uib", 1, 3, 5, 1, 4, 160),
     ("uib", 1, 3, 3, 1, 4, 160), ("uib", 1, 3, 0, 1, 4, 160), ("uib", 1, 0, 0, 1, 2, 160),
     ("uib", 1, 3, 0, 1, 4, 160)),
    (("uib", 1, 5, 5, 2, 6, 256), ("uib", 1, 5, 5, 1, 4, 256), ("uib", 2, 3, 5, 1, 4, 256),
     ("uib", 1, 0, 0, 1, 4, 256), ("uib", 1, 3, 0, 1, 4, 256), ("uib", 1, 3, 5, 1, 2, 256),
     ("uib", 1, 5, 5, 1, 4, 256), ("uib", 2, 0, 0, 1, 4, 256), ("uib", 1, 5, 0, 1, 2, 256)),
    _LAST,
)  # fmt: skip

CONV_LARGE = (
    (("fused", 1, 3, 2, 4, 48),),
    (("uib", 1, 3, 5, 2, 4, 96), ("uib", 1, 3, 3, 1, 4, 96)),
    (("uib", 1, 3, 5, 2, 4, 192), ("uib", 3, 3, 3, 1, 4, 192), ("uib", 1, 3, 5, 1, 4, 192),
     ("uib", 5, 5, 3, 1, 4, 192), ("uib", 1, 3, 0, 1, 4, 192)),
    (("uib", 4, 5, 5, 2, 4, 512), ("uib", 1, 5, 0, 1, 4, 512), ("uib", 1, 5, 3, 1, 4, 512),
     ("uib", 2, 5, 0, 1, 4, 512), ("uib", 1, 5, 3, 1, 4, 512), ("uib", 1, 5, 5, 1, 4, 512),
     ("uib", 3, 5, 0, 1, 4, 512)),
    _LAST,
)  # fmt: skip

HYBRID_MEDIUM = (
    (("fused", 1, 3, 2, 4, 48),),
    (("uib", 1, 3, 5, 2, 4, 80), ("uib", 1, 3, 3, 1, 2, 80)),
    (("uib", 1, 3, 5, 2, 6, 160), ("uib", 1, 0, 0, 1, 2, 160), ("uib", 1, 3, 3, 1, 4, 160),
     ("uib", 1, 3, 5, 1, 4, 160), ("mqa", 1, 4, 64, 2, 160), ("uib", 1, 3, 3, 1, 4, 160),
     ("mqa", 1, 4, 64, 2, 160), ("uib", 1, 3, 0, 1, 4, 160), ("mqa", 1, 4, 64, 2, 160),
     ("uib", 1, 3, 3, 1, 4, 160), ("mqa", 1, 4, 64, 2, 160), ("uib", 1, 3, 0, 1, 4, 160)),
    (("uib", 1, 5, 5, 2, 6, 256), ("uib", 1, 5, 5, 1, 4, 256), ("uib", 2, 3, 5, 1, 4, 256),
     ("uib", 1, 0, 0, 1, 2, 256), ("uib", 1, 3, 5, 1, 2, 256), ("uib", 1, 0, 0, 1, 2, 256),
     ("uib", 1, 0, 0, 1, 4, 256), ("mqa", 1, 4, 64, 1, 256), ("uib", 1, 3, 0, 1, 4, 256),
     ("mqa", 1, 4, 64, 1, 256), ("uib", 1, 5, 5, 1, 4, 256), ("mqa", 1, 4, 64, 1, 256),
     ("uib", 1, 5, 0, 1, 4, 256), ("mqa", 1, 4, 64, 1, 256), ("uib", 1, 5, 0, 1, 4, 256)),
    _LAST,
)  # fmt: skip

HYBRID_LARGE = (
    (("fused", 1, 3, 2, 4, 48),),
    (("uib", 1, 3, 5, 2, 4, 96), ("uib", 1, 3, 3, 1, 4, 96)),
    (("uib", 1, 3, 5, 2, 4, 192), ("uib", 3, 3, 3, 1, 4, 192), ("uib", 1, 3, 5, 1, 4, 192),
     ("uib", 2, 5, 3, 1, 4, 192), ("mqa", 1, 8, 48, 2, 192), ("uib", 1, 5, 3, 1, 4, 192),
     ("mqa", 1, 8, 48, 2, 192), ("uib", 1, 5, 3, 1, 4, 192), ("mqa", 1, 8, 48, 2, 192),
     ("uib", 1, 5, 3, 1, 4, 192), ("mqa", 1, 8, 48, 2, 192), ("uib", 1, 3, 0, 1, 4, 192)),
    (("uib", 4, 5, 5, 2, 4, 512), ("uib", 1, 5, 0, 1, 4, 512), ("uib", 1, 5, 3, 1, 4, 512),
     ("uib", 2, 5, 0, 1, 4, 512), ("uib", 1, 5, 3, 1, 4, 512), ("uib", 1, 5, 5, 1, 4, 512),
     ("mqa", 1, 8, 64, 1, 512), ("uib", 1, 5, 0, 1, 4, 512), ("mqa", 1, 8, 64, 1, 512),
     ("uib", 1, 5, 0, 1, 4, 512), ("mqa", 1, 8, 64, 1, 512), ("uib", 1, 5, 0, 1, 4, 512),
     ("mqa", 1, 8, 64, 1, 512), ("uib", 1, 5, 0, 1, 4, 512)),
    _LAST,
)  # fmt: skip

#: Per variant: (stem channels, activation, layer scale, stages, anti-aliasing: None, "avg" or
#: "blur", see :func:`anti_aliased`).
ARCHITECTURES = {
    "conv_small": (32, RELU, False, CONV_SMALL, None),
    "conv_medium": (32, RELU, False, CONV_MEDIUM, None),
    "conv_large": (24, RELU, False, CONV_LARGE, None),
    "hybrid_medium": (32, RELU, True, HYBRID_MEDIUM, None),
    "hybrid_large": (24, GELU, True, HYBRID_LARGE, None),
    "conv_aa_medium": (32, RELU, False, CONV_MEDIUM, "avg"),
    "conv_blur_medium": (32, RELU, False, CONV_MEDIUM, "blur"),
    "conv_aa_large": (24, RELU, False, CONV_LARGE, "avg"),
}


def anti_aliased(aa: str | None, stride: int) -> tuple[int, tuple]:
    """The stride a strided convolution keeps and the ``aa`` part after it: timm's anti-aliased
    networks run it at stride 1 and then average 2x2 windows (``"avg"``, ``AvgPool2d(2)``: the side
    halved, rounded down) or blur-pool (``"blur"``, :class:`BlurPool`)."""
    if aa is None or stride == 1:
        return stride, ()
    return 1, (("aa", Pool(AVGPOOL, 2, 2, padding=0) if aa == "avg" else BlurPool()),)


class UIB(
    namedtuple(
        "UIB",
        (
            "out_channels",
            "stride",
            "expansion",
            "start_kernel",
            "mid_kernel",
            "activation",
            "layer_scale",
            "aa",
        ),
        defaults=(RELU, False, None),
    )
):
    """The universal inverted bottleneck: ``dw_start`` (``start_kernel`` x ``start_kernel``
    depthwise on the input, BatchNorm, no activation; none if 0), ``expand`` (1x1 to
    ``make_divisible(expansion x input channels)``), ``dw_mid`` (``mid_kernel`` depthwise; none if
    0), ``project`` (1x1, linear), ``layer_scale`` (if asked), the shortcut when the stride is 1 and
    the channels are kept. The stride sits on ``dw_mid``, or on ``dw_start`` when there is no
    ``dw_mid``; with anti-aliasing (``aa``), that convolution has stride 1 and an ``aa`` part
    after it (``anti_aliased``)."""

    __slots__ = ()

    def block(self, in_channels: int) -> Residual | Chain:
        act, mid = self.activation, make_divisible(in_channels * self.expansion)
        stride, aa = anti_aliased(self.aa, self.stride)
        parts = []
        if self.start_kernel:
            start = (stride, aa) if not self.mid_kernel else (1, ())
            parts.append(("dw_start", DepthwiseConv(self.start_kernel, start[0], activation=None)))
            parts.extend(start[1])
        parts.append(("expand", Conv(mid, 1, activation=act)))
        if self.mid_kernel:
            parts.append(("dw_mid", DepthwiseConv(self.mid_kernel, stride, activation=act)))
            parts.extend(aa)
        parts.append(("project", Conv(self.out_channels, 1, activation=None)))
        if self.layer_scale:
            parts.append(("layer_scale", LayerScale()))
        if self.stride == 1 and in_channels == self.out_channels:
            return Residual(tuple(parts))
        return Chain(tuple(parts))

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        return self.block(in_channels).costs(name, in_channels, side)


class FusedIB(
    namedtuple(
        "FusedIB",
        ("out_channels", "kernel", "stride", "expansion", "activation", "aa"),
        defaults=(RELU, None),
    )
):
    """FusedIB (timm's ``EdgeResidual``): ``expand`` (a full ``kernel`` x ``kernel`` convolution
    to ``make_divisible(expansion x input channels)``, carrying the stride), ``project`` (1x1,
    linear); the shortcut when the stride is 1 and the channels are kept; anti-aliased as
    :class:`UIB`."""

    __slots__ = ()

    def block(self, in_channels: int) -> Residual | Chain:
        mid = make_divisible(in_channels * self.expansion)
        stride, aa = anti_aliased(self.aa, self.stride)
        parts = (
            ("expand", Conv(mid, self.kernel, stride, activation=self.activation)),
            *aa,
            ("project", Conv(self.out_channels, 1, activation=None)),
        )
        residual = self.stride == 1 and in_channels == self.out_channels
        return Residual(parts) if residual else Chain(parts)

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        return self.block(in_channels).costs(name, in_channels, side)


class MobileMQA(
    namedtuple(
        "MobileMQA",
        ("out_channels", "heads", "key_dim", "kv_stride", "layer_scale"),
        defaults=(False,),
    )
):
    """Mobile MQA: ``norm`` (``BatchNorm``), ``attn`` (``MultiQueryAttention``),
    ``layer_scale`` (if asked), and the shortcut when the channels are kept."""

    __slots__ = ()

    def block(self, in_channels: int) -> Residual | Chain:
        attn = MultiQueryAttention(self.out_channels, self.heads, self.key_dim, self.kv_stride)
        parts = (("norm", BatchNorm()), ("attn", attn))
        if self.layer_scale:
            parts += (("layer_scale", LayerScale()),)
        return Residual(parts) if in_channels == self.out_channels else Chain(parts)

    def costs(self, name: str, in_channels: int, side: int) -> Iterator[LayerCost]:
        return self.block(in_channels).costs(name, in_channels, side)


def mobilenet_v4_spec(
    alpha: float = 1.0, *, variant: str = "conv_small", num_classes: int = 1000
) -> NetworkSpec:
    """MobileNetV4 as ``(name, layer)`` pairs: ``stem`` (3x3 convolution, stride 2), ``block1`` ...
    (the stages' blocks in order, the 1x1 convolution to 960 last), ``avgpool``, ``head`` (1x1
    convolution to 1280 on the pooled map, BatchNorm and activation, no bias), ``fc``."""
    alpha = positive_number("alpha", alpha)
    variant = choice("variant", variant, VARIANTS)
    num_classes = positive_int("num_classes", num_classes)
    stem, act, scale, stages, aa = ARCHITECTURES[variant]
    stem_channels = stem if alpha < 1 else make_divisible(stem * alpha)
    spec: list = [("stem", Conv(stem_channels, 3, 2, activation=act))]
    for stage in stages:
        for kind, repeats, *args in stage:
            for i in range(repeats):
                block = _block(kind, args, i, alpha, (act, scale, aa))
                spec.append((f"block{len(spec)}", block))
    spec.append(("avgpool", Pool()))
    spec.append(("head", Conv(HEAD_CHANNELS, 1, activation=act)))
    spec.append(("fc", FullyConnected(num_classes)))
    return tuple(spec)


def _block(kind: str, args: list, repeat: int, alpha: float, network: tuple):
    """One block of the tables above (``repeat``: its index among the repeats; stride 1 after the
    first; ``network``: the activation, layer scale and anti-aliasing)."""
    act, scale, aa = network
    *args, out = args
    out = make_divisible(out * alpha)
    if kind == "mqa":
        heads, key_dim, kv_stride = args
        return MobileMQA(out, heads, key_dim, kv_stride, scale)
    if kind == "conv":
        kernel, stride = args
        return Conv(out, kernel, 1 if repeat else stride, activation=act)
    if kind == "fused":
        kernel, stride, expansion = args
        return FusedIB(out, kernel, 1 if repeat else stride, expansion, act, aa)
    start, mid, stride, expansion = args
    return UIB(out, 1 if repeat else stride, expansion, start, mid, act, scale, aa)


class MobileNetV4Config(NetworkConfig):
    """One MobileNetV4: width multiplier ``alpha`` (timm's ``channel_multiplier``), input
    ``resolution`` (default: the variant's, :data:`DEFAULT_RESOLUTIONS`), classes, ``variant``
    (one of :data:`VARIANTS`), input channels."""

    field_checks = {
        "alpha": positive_number,
        "resolution": positive_int,
        "num_classes": positive_int,
        "variant": partial(choice, allowed=VARIANTS),
        "in_channels": positive_int,
    }
    __slots__ = tuple(field_checks)
    network = "mobilenet_v4"

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        resolution: int | None = None,
        num_classes: int = 1000,
        variant: str = "conv_small",
        in_channels: int = 3,
    ):
        if resolution is None:
            known = isinstance(variant, str) and variant in DEFAULT_RESOLUTIONS
            resolution = DEFAULT_RESOLUTIONS[variant] if known else DEFAULT_RESOLUTIONS[VARIANTS[0]]
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return mobilenet_v4_spec(self.alpha, variant=self.variant, num_classes=self.num_classes)


def mobilenet_v4_cost(alpha: float = 1.0, **options):
    """Per-layer mult-adds and parameters of MobileNetV4: ``MobileNetV4Config(alpha,
    **options).cost()`` (options: ``variant``, ``resolution``, ``num_classes``, ``in_channels``)."""
    return MobileNetV4Config(alpha, **options).cost()


def mobilenet_v4_model(
    alpha: float = 1.0, *, dropout: float = 0.0, channels_last: bool = True, **options
):
    """MobileNetV4 as a PyTorch module (needs torch): ``MobileNetV4Config(alpha,
    **options).model(dropout=..., channels_last=...)``; children named like the cost rows."""
    return MobileNetV4Config(alpha, **options).model(dropout=dropout, channels_last=channels_last)


def batchnorm_elements(rows) -> int:
    """Output elements of every BatchNorm of a cost report's rows (one image)."""
    return sum(row.bn_params // 2 * row.output_size * row.output_size for row in rows)


def timm_mult_adds(report) -> int:
    """timm's published count (``infer_gmacs`` x 1e9, fvcore's default handles): this library's
    mult-adds plus 2 per BatchNorm output element and 1 per element of the globally pooled map."""
    pooled = report.layer("avgpool")  # the global pooling (not an anti-aliasing pool)
    pooled = pooled.in_channels * pooled.input_size * pooled.input_size
    return report.mult_adds + 2 * batchnorm_elements(report.layers) + pooled


from ..latency_model import register_kind  # noqa: E402

# The latency model's kinds of the new row types: an attention product is a matrix product like a
# fully connected layer; softmax, layer scale and a lone BatchNorm read a map and write one, like a
# residual sum. (GELU is an activation inside a convolution's row, like ReLU: no row of its own.)
for _row_type, _kind in (
    (MATMUL, "fc"),
    (SOFTMAX, "add"),
    (LAYER_SCALE, "add"),
    (BATCHNORM, "add"),
):
    register_kind(_row_type, _kind)
# oneDNN Graph fails on the hybrids' graph (torch 2.13: first on the scores scaled by a Python
# float, then, with a tensor scale, on a range check), and optimize() falls back to the unfused
# graph; made to compile (queries scaled first), the hybrids ran slower fused
# (benchmarks/README.md). unfuses=True: the latency model costs any network with an attention
# product as run unfused (runs_unfused), with its convolutions of the unfused kinds.
register_kind(MATMUL, "fc", unfuses=True)

from ._mobilenet_v4_checkpoints import (  # noqa: E402
    PUBLISHED_GMACS,
    PUBLISHED_PARAMS,
    TIMM_CHECKPOINTS,
    checkpoints,
)

__all__ = [
    "ARCHITECTURES",
    "DEFAULT_RESOLUTIONS",
    "HEAD_CHANNELS",
    "KV_KERNEL",
    "LAYER_SCALE_INIT",
    "PUBLISHED_GMACS",
    "PUBLISHED_PARAMS",
    "TIMM_CHECKPOINTS",
    "VARIANTS",
    "BatchNorm",
    "BlurPool",
    "anti_aliased",
    "FusedIB",
    "LayerScale",
    "MobileMQA",
    "MobileNetV4Config",
    "MultiQueryAttention",
    "UIB",
    "batchnorm_elements",
    "checkpoints",
    "mobilenet_v4_cost",
    "mobilenet_v4_model",
    "mobilenet_v4_spec",
    "timm_mult_adds",
]
