"""The giants MobileNet is compared with (paper Tables 8 and 9), as data, costed by the same engine.

Each network is a spec of ``(name, layer)`` pairs (:mod:`mnetcalc.layers`), like
:func:`mnetcalc.architecture.mobilenet_v1_spec`, and has a configuration record
(:class:`VGG16Config`, ...) like :class:`~mnetcalc.architecture.MobileNetConfig`, whose ``cost()``
is the :class:`~mnetcalc.network.NetworkCost` of the spec; ``vgg16_cost(...)`` and its siblings are
shorthands for it. Unlike MobileNet, these networks have a bias in every
convolution and no BatchNorm, and they use explicit padding (the output side is
``floor((side + 2p - k) / s) + 1``; Caffe's pools round up).

* **VGG16** (Simonyan & Zisserman 2014, configuration D): thirteen 3x3 convolutions (padding 1) in
  five stages of 64, 128, 256, 512, 512 channels, each stage closed by a 2x2/2 max pool, then fully
  connected layers of 4096, 4096 and 1000 units on the flattened 7x7x512 map.
* **GoogLeNet** (Szegedy et al. 2014, "Going deeper with convolutions", Table 1): 7x7/2 convolution,
  3x3/2 max pool, 1x1 and 3x3 convolutions, nine Inception modules (3a-5b) with max pools between
  the stages, global average pooling and one fully connected layer. Pools round up (Caffe, as the
  authors' table's sizes 112 -> 56 -> 28 -> 14 -> 7 require). The two auxiliary classifiers used
  only in training are left out unless asked for (``aux_classifiers=True``).
* **AlexNet** (Krizhevsky, Sutskever & Hinton 2012): five convolutions (96 11x11/4 "valid", 256 5x5,
  384, 384, 256 3x3), three overlapping 3x3/2 max pools, fully connected 4096, 4096, 1000. The input
  is 227x227 (224 cannot give the paper's 55x55 map with an 11x11/4 valid convolution). Convolutions
  2, 4 and 5 are split in two groups, as trained on two GPUs (``groups=2``); this halves their cost
  and is what the ~720 M mult-adds usually quoted for AlexNet count. ``groups=1`` gives the same
  widths without the split.
* **SqueezeNet v1.0** (Iandola et al. 2016, Table 1): a 7x7/2 convolution of 96 filters, eight fire
  modules with max pools after conv1, fire4 and fire8, and a 1x1 convolution to the classes before
  global average pooling. The input is 227x227, which gives Table 1's 111x111 first map.

Local response normalisation is kept as a cost-free ``lrn`` row where the networks have it; dropout
is left out (it does nothing at inference).
"""

from __future__ import annotations

from .layers import (
    AVGPOOL,
    MAXPOOL,
    Conv,
    Fire,
    FullyConnected,
    Inception,
    LayerCost,
    LocalResponseNorm,
    Pool,
)
from .network import NetworkConfig, NetworkCost, NetworkSpec, spec_costs
from .validation import InvalidArgument, choice, positive_int

#: VGG16 (configuration D): (output channels, number of 3x3 convolutions) per stage.
VGG16_STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))

#: Width of VGG16's and AlexNet's two hidden fully connected layers.
HIDDEN_FC = 4096

#: GoogLeNet's Inception modules, as the columns of Szegedy et al.'s Table 1:
#: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
GOOGLENET_INCEPTIONS = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}

#:  Szegedy et al.'s Table 1 as printed: row -> (params in thousands, ops in millions). Summed, the
#: params
#:  column gives the "6.8 M" that MobileNet's Table 8 quotes. :func:`googlenet_table_1_rows` says
#: which of our rows each printed row covers.
GOOGLENET_TABLE_1 = {
    "conv1": (2.7, 34),
    "conv2": (112, 360),
    "inception3a": (159, 128),
    "inception3b": (380, 304),
    "inception4a": (364, 73),
    "inception4b": (437, 88),
    "inception4c": (463, 100),
    "inception4d": (580, 119),
    "inception4e": (840, 170),
    "inception5a": (1072, 54),
    "inception5b": (1388, 71),
    "fc": (1000, 1),
}

#: The Inception modules after which GoogLeNet attaches its training-only auxiliary classifiers.
GOOGLENET_AUX_AFTER = ("inception4a", "inception4d")

#: SqueezeNet v1.0's fire modules: (squeeze 1x1, expand 1x1, expand 3x3) filters.
SQUEEZENET_FIRES = {
    2: (16, 64, 64),
    3: (16, 64, 64),
    4: (32, 128, 128),
    5: (32, 128, 128),
    6: (48, 192, 192),
    7: (48, 192, 192),
    8: (64, 256, 256),
    9: (64, 256, 256),
}


def _conv(channels: int, kernel: int, stride: int = 1, padding: int = 0, groups: int = 1) -> Conv:
    """A convolution of the classic networks: bias, no BatchNorm."""
    return Conv(
        channels, kernel, stride, batchnorm=False, bias=True, padding=padding, groups=groups
    )


def _maxpool(kernel: int, stride: int, ceil_mode: bool = False) -> Pool:
    return Pool(MAXPOOL, kernel, stride, padding=0, ceil_mode=ceil_mode)


def vgg16_spec(num_classes: int = 1000) -> NetworkSpec:
    """VGG16 as ``(name, layer)`` pairs: ``conv{stage}_{i}``, ``pool{stage}``, ``fc6``, ``fc7``,
    ``fc8``."""
    num_classes = positive_int("num_classes", num_classes)
    spec: list = []
    for stage, (channels, convs) in enumerate(VGG16_STAGES, start=1):
        spec += [(f"conv{stage}_{i}", _conv(channels, 3, padding=1)) for i in range(1, convs + 1)]
        spec.append((f"pool{stage}", _maxpool(2, 2)))
    spec += [
        ("fc6", FullyConnected(HIDDEN_FC)),
        ("fc7", FullyConnected(HIDDEN_FC)),
        ("fc8", FullyConnected(num_classes)),
    ]
    return tuple(spec)


def googlenet_spec(num_classes: int = 1000, *, large_kernel: int = 5) -> NetworkSpec:
    """GoogLeNet (Inception v1) without its auxiliary classifiers, as ``(name, layer)`` pairs.

    ``large_kernel=3`` gives the variant of TF-slim and torchvision, whose "5x5" branches use 3x3
    filters."""
    num_classes = positive_int("num_classes", num_classes)
    large_kernel = positive_int("large_kernel", large_kernel)
    spec: list = [
        ("conv1", _conv(64, 7, 2, padding=3)),
        ("pool1", _maxpool(3, 2, ceil_mode=True)),
        ("lrn1", LocalResponseNorm(5)),
        ("conv2_reduce", _conv(64, 1)),
        ("conv2", _conv(192, 3, padding=1)),
        ("lrn2", LocalResponseNorm(5)),
        ("pool2", _maxpool(3, 2, ceil_mode=True)),
    ]
    for module, widths in GOOGLENET_INCEPTIONS.items():
        spec.append((f"inception{module}", Inception(*widths, large_kernel=large_kernel)))
        if module in ("3b", "4e"):
            spec.append((f"pool{3 if module == '3b' else 4}", _maxpool(3, 2, ceil_mode=True)))
    spec += [("avgpool", Pool(AVGPOOL)), ("fc", FullyConnected(num_classes))]
    return tuple(spec)


def googlenet_table_1_rows(report: NetworkCost, name: str) -> tuple[LayerCost, ...]:
    """The rows of a GoogLeNet report that one row of Szegedy et al.'s Table 1 covers (its
    "convolution 3x3/1" row is our ``conv2_reduce`` and ``conv2``; an Inception row is all of that
    module's rows)."""
    if name not in GOOGLENET_TABLE_1:
        raise KeyError(name)
    prefixes = ("conv2_reduce", "conv2") if name == "conv2" else (name,)
    return tuple(
        row
        for row in report.layers
        if any(row.name == p or row.name.startswith(p + "/") for p in prefixes)
    )


def googlenet_aux_spec(num_classes: int = 1000) -> NetworkSpec:
    """One auxiliary classifier: 5x5/3 average pool, 1x1 convolution to 128, FC 1024, FC to the
    classes."""
    return (
        ("avgpool", Pool(AVGPOOL, 5, 3, padding=0, ceil_mode=True)),
        ("conv", _conv(128, 1)),
        ("fc1", FullyConnected(1024)),
        ("fc2", FullyConnected(positive_int("num_classes", num_classes))),
    )


def alexnet_groups(groups) -> int:
    """AlexNet's convolution groups: 2 (as trained on two GPUs) or 1."""
    groups = positive_int("groups", groups)
    if groups not in (1, 2):
        raise InvalidArgument(f"groups must be 1 or 2, got {groups!r}", "groups")
    return groups


def alexnet_spec(num_classes: int = 1000, *, groups: int = 2) -> NetworkSpec:
    """AlexNet as ``(name, layer)`` pairs; ``groups=2`` splits conv2, conv4 and conv5 as on two
    GPUs."""
    num_classes = positive_int("num_classes", num_classes)
    groups = alexnet_groups(groups)
    return (
        ("conv1", _conv(96, 11, 4)),
        ("lrn1", LocalResponseNorm(5)),
        ("pool1", _maxpool(3, 2, ceil_mode=True)),
        ("conv2", _conv(256, 5, padding=2, groups=groups)),
        ("lrn2", LocalResponseNorm(5)),
        ("pool2", _maxpool(3, 2, ceil_mode=True)),
        ("conv3", _conv(384, 3, padding=1)),
        ("conv4", _conv(384, 3, padding=1, groups=groups)),
        ("conv5", _conv(256, 3, padding=1, groups=groups)),
        ("pool5", _maxpool(3, 2, ceil_mode=True)),
        ("fc6", FullyConnected(HIDDEN_FC)),
        ("fc7", FullyConnected(HIDDEN_FC)),
        ("fc8", FullyConnected(num_classes)),
    )


def squeezenet_spec(num_classes: int = 1000) -> NetworkSpec:
    """SqueezeNet v1.0 as ``(name, layer)`` pairs: ``conv1``, ``pool1``, ``fire2`` ... ``fire9``,
    ``conv10``."""
    num_classes = positive_int("num_classes", num_classes)
    spec: list = [("conv1", _conv(96, 7, 2)), ("pool1", _maxpool(3, 2, ceil_mode=True))]
    for index, widths in SQUEEZENET_FIRES.items():
        spec.append((f"fire{index}", Fire(*widths)))
        if index in (4, 8):
            spec.append((f"pool{index}", _maxpool(3, 2, ceil_mode=True)))
    spec += [("conv10", _conv(num_classes, 1)), ("avgpool", Pool(AVGPOOL))]
    return tuple(spec)


class _ZooConfig(NetworkConfig):
    """The fields every network of the zoo has (``resolution=None``: the network's own input side,
    ``default_resolution``); its JSON omits ``in_channels`` when it is 3."""

    field_checks = {
        "resolution": positive_int,
        "num_classes": positive_int,
        "in_channels": positive_int,
    }
    __slots__ = ()
    default_resolution = 224

    def __init__(
        self, resolution: int | None = None, *, num_classes: int = 1000, in_channels: int = 3
    ):
        self._set_checked(locals())

    def _set_checked(self, arguments) -> None:
        # resolution=None: the network's own input side
        if arguments["resolution"] is None:
            arguments = {**arguments, "resolution": self.default_resolution}
        super()._set_checked(arguments)

    def to_dict(self) -> dict:
        data = super().to_dict()
        in_channels = data.pop("in_channels")
        if in_channels != 3:
            data["in_channels"] = in_channels
        return data


class VGG16Config(_ZooConfig):
    """VGG16 (configuration D) at an input ``resolution`` (its first FC layer grows with it)."""

    __slots__ = tuple(_ZooConfig.field_checks)
    network = "vgg16"

    def spec(self) -> NetworkSpec:
        return vgg16_spec(self.num_classes)


class GoogLeNetConfig(_ZooConfig):
    """GoogLeNet; ``large_kernel=3`` is the TF-slim/torchvision variant, ``aux_classifiers=True``
    adds the rows of the two training-only classifiers (``aux1/...`` on inception4a's output,
    ``aux2/...`` on inception4d's), which have no PyTorch model here."""

    field_checks = {
        **_ZooConfig.field_checks,
        "large_kernel": positive_int,
        "aux_classifiers": lambda _name, value: bool(value),
    }
    __slots__ = tuple(field_checks)
    network = "googlenet"

    def __init__(
        self,
        resolution: int | None = None,
        *,
        num_classes: int = 1000,
        in_channels: int = 3,
        large_kernel: int = 5,
        aux_classifiers: bool = False,
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return googlenet_spec(self.num_classes, large_kernel=self.large_kernel)

    def rows(self) -> tuple[LayerCost, ...]:
        rows = super().rows()
        if not self.aux_classifiers:
            return rows
        extra: list[LayerCost] = []
        by_name = {row.name: row for row in rows}
        for index, after in enumerate(GOOGLENET_AUX_AFTER, start=1):
            source = by_name[after]
            spec = tuple(
                (f"aux{index}/{name}", layer)
                for name, layer in googlenet_aux_spec(self.num_classes)
            )
            extra += spec_costs(
                spec, resolution=source.output_size, in_channels=source.out_channels
            )
        return rows + tuple(extra)

    def model(self, *, dropout: float = 0.0, channels_last: bool = True):
        if self.aux_classifiers:
            raise ValueError(
                "no model for GoogLeNet's auxiliary classifiers (training-only side branches)"
            )
        return super().model(dropout=dropout, channels_last=channels_last)

    def to_dict(self) -> dict:
        data = {
            "network": self.network,
            "resolution": self.resolution,
            "num_classes": self.num_classes,
        }
        if self.large_kernel != 5:
            data["large_kernel"] = self.large_kernel
        if self.in_channels != 3:
            data["in_channels"] = self.in_channels
        if self.aux_classifiers:
            data["aux_classifiers"] = True
        return data


class AlexNetConfig(_ZooConfig):
    """AlexNet; ``groups=2`` is the original two-GPU model, ``groups=1`` the unsplit one."""

    field_checks = {**_ZooConfig.field_checks, "groups": lambda _name, value: alexnet_groups(value)}
    # the fields in the order fields() and repr() give them; they are checked in field_checks' order
    __slots__ = ("resolution", "num_classes", "groups", "in_channels")
    network = "alexnet"
    default_resolution = 227

    def __init__(
        self,
        resolution: int | None = None,
        *,
        num_classes: int = 1000,
        in_channels: int = 3,
        groups: int = 2,
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return alexnet_spec(self.num_classes, groups=self.groups)


class SqueezeNetConfig(_ZooConfig):
    """SqueezeNet v1.0."""

    __slots__ = tuple(_ZooConfig.field_checks)
    network = "squeezenet"
    default_resolution = 227

    def spec(self) -> NetworkSpec:
        return squeezenet_spec(self.num_classes)


def vgg16_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer mult-adds and parameters of VGG16: ``VGG16Config(resolution,
    **options).cost()``."""
    return VGG16Config(resolution, **options).cost()


def googlenet_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer costs of GoogLeNet: ``GoogLeNetConfig(resolution, **options).cost()``."""
    return GoogLeNetConfig(resolution, **options).cost()


def alexnet_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer costs of AlexNet: ``AlexNetConfig(resolution, **options).cost()``."""
    return AlexNetConfig(resolution, **options).cost()


def squeezenet_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer costs of SqueezeNet v1.0: ``SqueezeNetConfig(resolution, **options).cost()``."""
    return SqueezeNetConfig(resolution, **options).cost()


#: The giants' configuration classes by network name (for the CLI and for loops in the book).
NETWORKS = {
    config.network: config
    for config in (VGG16Config, GoogLeNetConfig, AlexNetConfig, SqueezeNetConfig)
}

#:  The input side each network was defined for (AlexNet and SqueezeNet: the 227 of their Caffe
#: models).
DEFAULT_RESOLUTION = {name: config.default_resolution for name, config in NETWORKS.items()}


def network_cost(
    name: str, *, resolution: int | None = None, num_classes: int = 1000
) -> NetworkCost:
    """The report of one of :data:`NETWORKS` by name, at its own default resolution unless told."""
    name = choice("network", name, NETWORKS)
    return NETWORKS[name](resolution, num_classes=num_classes).cost()


__all__ = [
    "DEFAULT_RESOLUTION",
    "GOOGLENET_INCEPTIONS",
    "GOOGLENET_TABLE_1",
    "NETWORKS",
    "SQUEEZENET_FIRES",
    "VGG16_STAGES",
    "AlexNetConfig",
    "GoogLeNetConfig",
    "SqueezeNetConfig",
    "VGG16Config",
    "alexnet_cost",
    "alexnet_spec",
    "googlenet_aux_spec",
    "googlenet_cost",
    "googlenet_spec",
    "googlenet_table_1_rows",
    "network_cost",
    "squeezenet_cost",
    "squeezenet_spec",
    "vgg16_cost",
    "vgg16_spec",
]
