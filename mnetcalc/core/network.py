"""A network configuration, the walk that costs its spec, and the report that results."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType

from ..validation import InputTooSmall, InvalidArgument, positive_int
from .layers import CONV, CONV_DW, LayerCost
from .record import Record

#: A network description: ``(name, spec)`` pairs, in order.
NetworkSpec = Sequence[tuple[str, object]]


def spec_costs(
    spec: NetworkSpec, *, resolution: int, in_channels: int = 3
) -> tuple[LayerCost, ...]:
    """Walk ``spec`` from an ``in_channels`` x ``resolution`` x ``resolution`` input: one cost row
    per layer (several for a composite one)."""
    rows: list[LayerCost] = []
    channels = positive_int("in_channels", in_channels)
    side = positive_int("resolution", resolution)
    for name, layer in spec:
        rows.extend(layer.costs(name, channels, side))
        channels, side = rows[-1].out_channels, rows[-1].output_size
    return tuple(rows)


#: The keys every cost report's JSON starts with, whatever the network
#: (:meth:`NetworkConfig.report_fields`).
REPORT_KEYS = ("network", "alpha", "resolution", "variant", "num_classes", "in_channels")


class NetworkConfig(Record):
    """What defines one network: checked at construction, torch-free. Each network's subclass names
    itself in ``network`` and says its :meth:`spec`; every one has ``resolution``, ``num_classes``
    and ``in_channels`` fields. From the configuration come its cost report (:meth:`cost`) and, with
    torch, its PyTorch model (:meth:`model`)."""

    __slots__ = ()
    network = ""

    #: The fields and their rules: ``check(name, value)`` for each field, in the order they are
    #: checked (a subclass's ``__slots__`` is ``tuple(field_checks)``); a check returns the value
    #: normalised or raises :class:`~mnetcalc.validation.InvalidArgument` naming the field.
    field_checks: Mapping[str, Callable] = {}

    def _set_checked(self, arguments: Mapping) -> None:
        """Set each field to its value in ``arguments`` (the constructor's ``locals()``), checked
        by its rule in :attr:`field_checks`; the first bad value raises."""
        self._set(
            **{name: check(name, arguments[name]) for name, check in self.field_checks.items()}
        )

    def spec(self) -> NetworkSpec:
        """The network as ``(name, layer)`` pairs (each network's subclass says it)."""
        raise NotImplementedError

    def rows(self) -> tuple[LayerCost, ...]:
        """The spec's cost rows at this resolution and channel count."""
        try:
            return spec_costs(self.spec(), resolution=self.resolution, in_channels=self.in_channels)
        except InputTooSmall as error:
            raise InputTooSmall(
                f"resolution {self.resolution} is too small for {self.network} ({error})",
                "resolution",
            ) from None

    def cost(self) -> NetworkCost:
        """Per-layer mult-adds and parameters of this network."""
        return NetworkCost(self, self.rows())

    def model(self, *, dropout: float = 0.0, channels_last: bool = True):
        """The PyTorch model of this configuration, built from the same spec (imports torch; without
        it, raises ``ModuleNotFoundError`` saying ``pip install 'mnetcalc[torch]'``).

        Its convolutions are ``nn.Conv2d`` and its classifier ``nn.Linear``, so fvcore, ptflops and
        thop count it; fvcore's ``FlopCountAnalysis(model, x).by_operator()``'s ``conv`` plus
        ``linear`` is ``cost().mult_adds`` exactly (its ``.total()`` adds BatchNorm and
        pooling)."""
        try:
            import torch  # noqa: F401
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                f"{type(self).__name__}.model() needs torch, which is not installed: "
                "pip install 'mnetcalc[torch]'",
                name="torch",
            ) from error
        from ..runtime.model import build

        return build(
            self.spec(),
            in_channels=self.in_channels,
            resolution=self.resolution,
            dropout=dropout,
            channels_last=channels_last,
        )

    def report_fields(self) -> dict:
        """The configuration as every cost report's JSON begins, with the same keys for every
        network (:data:`REPORT_KEYS`, None where a network has no such option: ``alpha`` of VGG-16,
        ``variant`` of MobileNetV2), then ``options``: the network's other fields (V3's
        ``channels``, AlexNet's ``groups``, ...), all of them."""
        fields = self.fields()
        common = {key: fields.get(key) for key in REPORT_KEYS[1:]}
        others = {key: value for key, value in fields.items() if key not in common}
        return {"network": self.network, **common, "options": others}

    #: Fields left out of :meth:`~mnetcalc.core.network.NetworkConfig.to_dict` while they hold
    #: these values (defaults that rarely
    #: change, such as 3 input channels); a subclass adds its own.
    quiet_defaults: Mapping[str, object] = {"in_channels": 3}

    def to_dict(self) -> dict:
        """The configuration as written in front of a report's layers (JSON): ``network`` first,
        then the fields that define it, except those at their :attr:`quiet_defaults`."""
        quiet = self.quiet_defaults
        return {
            "network": self.network,
            **{
                name: value
                for name, value in self.fields().items()
                if name not in quiet or value != quiet[name]
            },
        }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class LayerTable:
    """Rows of a whole network in ``layers`` (each with a ``name`` and ``mult_adds``): iterating
    yields them, ``len`` counts them, :meth:`layer` finds one by name."""

    __slots__ = ()

    def __iter__(self) -> Iterator:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def layer(self, name: str):
        """The row called ``name`` (InvalidArgument if there is none)."""
        for row in self.layers:
            if row.name == name:
                return row
        raise InvalidArgument(f"no layer named {name!r} in this report", "name")

    @property
    def mult_adds(self) -> int:
        """The mult-adds of all rows: convolutions and fully connected layers (the paper's)."""
        return sum(row.mult_adds for row in self.layers)

    def summary(self, key, sums: Sequence[str], keys: Iterable | None = None) -> dict:
        """A grouping helper, not a printable summary (that is ``str(report)``): rows grouped by
        ``key(row)`` (in order of first appearance, or of ``keys``): per group
        the number of rows, the sum of each field named in ``sums`` and its share of the whole's
        (``<field>_share``)."""
        keys = dict.fromkeys([key(row) for row in self.layers] if keys is None else keys)
        summary: dict = {}
        for kind in keys:
            rows = [row for row in self.layers if key(row) == kind]
            totals = {field: sum(getattr(row, field) for row in rows) for field in sums}
            shares = {
                f"{field}_share": _share(totals[field], getattr(self, field)) for field in sums
            }
            summary[kind] = {"layers": len(rows), **totals, **shares}
        return summary


class NetworkCost(LayerTable, Record):
    """Per-layer and total costs of one network configuration (``config``); iterating yields the
    layers.

    ``params`` counts weights only, the paper's convention; :attr:`total_params` adds biases and
    BatchNorm scale/shift, which is ``sum(p.numel() for p in model.parameters())`` as torchvision,
    timm, fvcore and ptflops report it. ``str(report)`` is the command line's table; a notebook
    shows it as a Markdown (or HTML) table."""

    __slots__ = ("config", "layers")

    def __init__(self, config: NetworkConfig, layers: Iterable[LayerCost]):
        self._set(config=config, layers=tuple(layers))

    @property
    def meta(self) -> MappingProxyType:
        """The configuration as a read-only mapping (``network``, ``resolution``, ...)."""
        return MappingProxyType(self.config.to_dict())

    @property
    def params(self) -> int:
        """Weights only, the paper's convention (see :attr:`total_params`)."""
        return sum(row.params for row in self.layers)

    @property
    def bias_params(self) -> int:
        """Biases of convolutions and fully connected layers."""
        return sum(row.bias_params for row in self.layers)

    @property
    def bn_params(self) -> int:
        """BatchNorm scale and shift (two per channel)."""
        return sum(row.bn_params for row in self.layers)

    @property
    def total_params(self) -> int:
        """All a PyTorch model of this spec holds: weights, biases and BatchNorm scale/shift."""
        return self.params + self.bias_params + self.bn_params

    def by_type(self, types: Iterable[str] | None = None) -> dict[str, dict]:
        """Mult-adds and weights summed per layer type, with their shares of the totals (paper Table
        2). Types with neither mult-adds nor weights (pooling) are left out unless named in
        ``types``."""
        return self._summary(lambda row: row.type, types)

    def by_kind(self) -> dict[tuple[str, int | None], dict]:
        """As :meth:`by_type`, with convolutions also split by kernel side: keys ``(type, kernel)``
        for standard and depthwise convolutions (AlexNet's 11x11, 5x5 and 3x3 layers apart),
        ``(type, None)`` for the others."""
        return self._summary(layer_kind)

    def _summary(self, key, keys: Iterable | None = None) -> dict:
        if keys is None:
            keys = [key(row) for row in self.layers if row.mult_adds or row.params]
        return self.summary(key, ("mult_adds", "params"), keys)

    def to_dict(self) -> dict:
        """The report as ``mnetcalc table --format json`` writes it: the configuration
        (:meth:`NetworkConfig.report_fields`, the same keys for every network), ``layers`` and
        ``total`` (``mult_adds``, weights-only ``params``, ``bias_params``, ``bn_params`` and
        ``total_params``, their sum)."""
        return {
            **self.config.report_fields(),
            "layers": [row.to_dict() for row in self.layers],
            "total": {
                "mult_adds": self.mult_adds,
                "params": self.params,
                "bias_params": self.bias_params,
                "bn_params": self.bn_params,
                "total_params": self.total_params,
            },
        }

    def __str__(self) -> str:
        """The command line's text table (``mnetcalc table``)."""
        from ..report.tables import table_text

        return table_text(self)

    def _repr_markdown_(self) -> str:
        """A notebook's display: the per-layer and per-type tables in Markdown."""
        from ..report.tables import table_markdown

        return table_markdown(self)

    def _repr_html_(self) -> str:
        """A notebook's display where Markdown is not rendered: the same tables in HTML."""
        from ..report.tables import table_html

        return table_html(self)


def layer_kind(row: LayerCost) -> tuple[str, int | None]:
    """A row's type, with the kernel side for standard and depthwise convolutions."""
    return (row.type, row.kernel if row.type in (CONV, CONV_DW) else None)
