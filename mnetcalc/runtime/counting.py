"""An independent count: fvcore traces the real PyTorch model, layer by layer, and we compare.

fvcore's ``FlopCountAnalysis`` counts one fused multiply-add as one "flop", i.e. it counts
mult-adds, as the paper does. The paper's convention counts convolutions (standard, depthwise,
pointwise) and the fully connected layer only; BatchNorm, ReLU (and ReLU6), pooling and the sums of
residual connections are free. So the analysis
here starts from an empty handle table and registers fvcore's own handles for the
matrix-multiply-like operators only (:data:`COUNTED_OPS`); the operators that the convention leaves
out are marked as ignored (:data:`UNCOUNTED_OPS`), and anything else the trace meets is reported in
:attr:`CountCheck.unsupported_ops` instead of being silently dropped.

(fvcore 0.1.5's ``set_op_handle(op, None)`` adds ``op`` to the ignored set but leaves its default
handle in place, so BatchNorm would still be counted; clearing the table first avoids that.)

Parameters are compared too: fvcore's ``parameter_count`` per layer against the calculator's weights
+ biases + BatchNorm scale/shift of that row.

Rows and modules are matched by name: the row ``conv3_pw`` is the module ``conv3_pw``, and a row of
a composite block, ``inception3a/3x3``, the module ``inception3a.3x3``. A row is compared with what
fvcore counts in its module *minus* what belongs to rows inside it, so a block's ``concat`` row (no
cost) checks that nothing is counted in the block outside its parts.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field

import torch

# fvcore.nn scripts its focal losses at import, and torch deprecates torch.jit.script: keep it
# quiet.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fvcore.nn import FlopCountAnalysis, parameter_count
    from fvcore.nn.jit_handles import (
        addmm_flop_jit,
        bmm_flop_jit,
        conv_flop_jit,
        linear_flop_jit,
        matmul_flop_jit,
    )

from ..core.layers import LRN
from ..core.network import NetworkConfig, NetworkCost

#: Operators counted (the paper's convention: convolutions and fully connected layers), with
#: fvcore's handles.
COUNTED_OPS = {
    "aten::_convolution": conv_flop_jit,
    "aten::linear": linear_flop_jit,
    "aten::addmm": addmm_flop_jit,
    "aten::matmul": matmul_flop_jit,
    "aten::mm": matmul_flop_jit,
    "aten::bmm": bmm_flop_jit,
}

#: Operators that a MobileNet-like network runs and the paper's convention does not count.
UNCOUNTED_OPS = (
    "aten::batch_norm",
    "aten::relu",
    "aten::relu_",
    "aten::adaptive_avg_pool2d",
    "aten::adaptive_max_pool2d",
    "aten::avg_pool2d",
    "aten::max_pool2d",
    "aten::flatten",
    "aten::dropout",
    "aten::feature_dropout",
    "aten::cat",
    "aten::hardtanh",  # ReLU6
    "aten::hardtanh_",
    "aten::hardswish",  # the activations a spec may name (mnetcalc.core.layers.ACTIVATIONS)
    "aten::hardswish_",
    "aten::hardsigmoid",
    "aten::hardsigmoid_",
    "aten::gelu",
    "aten::add",  # a residual connection's sum (MobileNetV2): not a multiply-add
    "aten::add_",
)


def model_uncounted_ops(model: torch.nn.Module) -> tuple[str, ...]:
    """The operators that the layer types of ``model``'s spec declare free of cost besides
    :data:`UNCOUNTED_OPS`. A layer type defined in a network's module, which builds its own torch
    module (``torch_module``), says so in a class attribute ``uncounted_ops`` (a squeeze-and-excite
    gate's ``("aten::mul",)``: an element-wise scaling, not a multiply-add of the convention);
    :func:`mnetcalc.runtime.layer_modules.layer_module` (which ``build`` calls) copies it onto the
    module, where this finds it."""
    return tuple(op for module in model.modules() for op in getattr(module, "uncounted_ops", ()))


def flop_analysis(
    model: torch.nn.Module, inputs: torch.Tensor, uncounted: tuple[str, ...] = ()
) -> FlopCountAnalysis:
    """fvcore's analysis of ``model`` on ``inputs``, counting conv and linear mult-adds only,
    quietly (``uncounted``: more operators to ignore, see :func:`model_uncounted_ops`)."""
    analysis = FlopCountAnalysis(model, inputs)
    analysis.clear_op_handles()
    analysis.set_op_handle(**COUNTED_OPS)
    analysis.set_op_handle(**dict.fromkeys((*UNCOUNTED_OPS, *uncounted)))
    analysis.unsupported_ops_warnings(False)
    analysis.uncalled_modules_warnings(False)
    analysis.tracer_warnings("none")
    return analysis


@dataclass(frozen=True)
class LayerCheck:
    """One layer counted twice: by the calculator (analytic) and by fvcore on the PyTorch model."""

    name: str
    type: str
    analytic_mult_adds: int
    fvcore_mult_adds: int
    analytic_params: int  # weights + biases + BatchNorm scale/shift
    fvcore_params: int

    @property
    def agrees(self) -> bool:
        return (
            self.analytic_mult_adds == self.fvcore_mult_adds
            and self.analytic_params == self.fvcore_params
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "analytic_mult_adds": self.analytic_mult_adds,
            "fvcore_mult_adds": self.fvcore_mult_adds,
            "analytic_params": self.analytic_params,
            "fvcore_params": self.fvcore_params,
            "agrees": self.agrees,
        }


@dataclass(frozen=True)
class CountCheck:
    """The per-layer comparison, fvcore's totals, and any operator fvcore had no rule for."""

    layers: tuple[LayerCheck, ...]
    fvcore_total_mult_adds: int
    fvcore_total_params: int
    analytic_total_mult_adds: int
    analytic_total_params: int
    config: NetworkConfig
    unsupported_ops: dict = field(default_factory=dict)

    @property
    def totals_agree(self) -> bool:
        return (
            self.fvcore_total_mult_adds == self.analytic_total_mult_adds
            and self.fvcore_total_params == self.analytic_total_params
        )

    @property
    def agrees(self) -> bool:
        """Every layer and the totals agree, and fvcore saw no operator outside the convention."""
        return (
            all(row.agrees for row in self.layers)
            and self.totals_agree
            and not self.unsupported_ops
        )

    def disagreements(self) -> list[LayerCheck]:
        return [row for row in self.layers if not row.agrees]

    def to_dict(self) -> dict:
        return {
            **self.config.to_dict(),
            "layers": [row.to_dict() for row in self.layers],
            "total": {
                "analytic_mult_adds": self.analytic_total_mult_adds,
                "fvcore_mult_adds": self.fvcore_total_mult_adds,
                "analytic_params": self.analytic_total_params,
                "fvcore_params": self.fvcore_total_params,
            },
            "unsupported_ops": dict(self.unsupported_ops),
            "agrees": self.agrees,
        }


def module_path(row_name: str) -> str:
    """The module that computes a calculator row: ``"inception3a/3x3"`` -> ``"inception3a.3x3"``."""
    return row_name.replace("/", ".")


def exclusive_counts(names, counts) -> dict[str, int]:
    """Per row: the count of its module minus the counts of the rows' modules nested inside it."""
    paths = {name: module_path(name) for name in names}
    exclusive: dict[str, int] = {}
    for name in sorted(names, key=lambda n: -paths[n].count(".")):  # innermost first
        inside = [n for n in names if paths[n].startswith(paths[name] + ".")]
        exclusive[name] = int(counts.get(paths[name], 0)) - sum(exclusive[n] for n in inside)
    return exclusive


def check_counts(report: NetworkCost, model: torch.nn.Module | None = None) -> CountCheck:
    """Compare the calculator's ``report`` with fvcore's count of ``model`` (by default the model of
    the report's configuration), on an input of the report's resolution and channel count, row by
    row."""
    config = report.config
    if model is None:
        model = config.model()
    inputs = torch.zeros(1, config.in_channels, config.resolution, config.resolution)
    names = [row.name for row in report.layers]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer chatter; the counts are what we compare
            analysis = flop_analysis(model, inputs, model_uncounted_ops(model))
            mult_adds = exclusive_counts(names, analysis.by_module())
            total = analysis.total()
            unsupported = Counter(analysis.unsupported_ops())
            for row in report.layers:  # LRN's arithmetic is not counted by the convention
                if row.type == LRN:
                    unsupported.subtract(analysis.unsupported_ops(module_path(row.name)))
    finally:
        model.train(was_training)
    params = exclusive_counts(names, parameter_count(model))
    rows = tuple(
        LayerCheck(
            name=row.name,
            type=row.type,
            analytic_mult_adds=row.mult_adds,
            fvcore_mult_adds=mult_adds[row.name],
            analytic_params=row.params + row.bias_params + row.bn_params,
            fvcore_params=params[row.name],
        )
        for row in report.layers
    )
    return CountCheck(
        layers=rows,
        fvcore_total_mult_adds=int(total),
        fvcore_total_params=sum(p.numel() for p in model.parameters()),
        analytic_total_mult_adds=report.mult_adds,
        analytic_total_params=report.total_params,
        unsupported_ops={op: n for op, n in unsupported.items() if n > 0},
        config=config,
    )
