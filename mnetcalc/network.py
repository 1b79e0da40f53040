"""Cost a whole network held as data, and the report that results."""

from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

from .layers import LayerCost

#: A network description: ``(name, spec)`` pairs, in order.
NetworkSpec = Sequence[tuple[str, object]]


def cost_layers(spec: NetworkSpec, resolution: int, in_channels: int = 3) -> tuple[LayerCost, ...]:
    """Walk ``spec`` from an ``in_channels`` x ``resolution`` x ``resolution`` input, one row per layer."""
    rows: list[LayerCost] = []
    channels, side = in_channels, resolution
    for name, layer in spec:
        for row in layer.costs(name, channels, side):
            rows.append(row)
        channels, side = rows[-1].out_channels, rows[-1].output_size
    return tuple(rows)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class NetworkCost(NamedTuple):
    """Per-layer and total costs of one network configuration.

    ``meta`` holds the configuration (network, alpha, resolution, num_classes, variant, ...) and is
    written in front of the layers by :meth:`to_dict`.
    """

    layers: tuple[LayerCost, ...]
    meta: dict

    @property
    def mult_adds(self) -> int:
        return sum(row.mult_adds for row in self.layers)

    @property
    def params(self) -> int:
        return sum(row.params for row in self.layers)

    @property
    def bias_params(self) -> int:
        return sum(row.bias_params for row in self.layers)

    @property
    def bn_params(self) -> int:
        return sum(row.bn_params for row in self.layers)

    @property
    def total_params(self) -> int:
        """Everything a PyTorch model of this spec holds: weights, biases and BatchNorm scale/shift."""
        return self.params + self.bias_params + self.bn_params

    def layer(self, name: str) -> LayerCost:
        for row in self.layers:
            if row.name == name:
                return row
        raise KeyError(name)

    def by_type(self, types: Iterable[str] | None = None) -> dict[str, dict]:
        """Mult-adds and weights summed per layer type, with their shares of the totals (paper Table 2).

        Types with neither mult-adds nor weights (pooling) are left out unless named in ``types``.
        """
        if types is None:
            types = [r.type for r in self.layers if r.mult_adds or r.params]
        summary: dict[str, dict] = {}
        for kind in dict.fromkeys(types):
            rows = [r for r in self.layers if r.type == kind]
            mult_adds = sum(r.mult_adds for r in rows)
            params = sum(r.params for r in rows)
            summary[kind] = {
                "layers": len(rows),
                "mult_adds": mult_adds,
                "params": params,
                "mult_adds_share": _share(mult_adds, self.mult_adds),
                "params_share": _share(params, self.params),
            }
        return summary

    def to_dict(self) -> dict:
        return {
            **self.meta,
            "layers": [row.to_dict() for row in self.layers],
            "total": {
                "mult_adds": self.mult_adds,
                "params": self.params,
                "bias_params": self.bias_params,
                "bn_params": self.bn_params,
            },
        }
