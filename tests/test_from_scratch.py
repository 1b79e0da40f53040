"""The book's from-scratch MobileNet (mnetcalc/book/from_scratch.py, plain PyTorch, nothing else of
mnetcalc) is the
library's MobileNet: the same parameters, tensor by tensor, the same fvcore mult-adds and, given
the same weights, the same outputs. Both are counted by the same fvcore analysis
(``mnetcalc.runtime.counting.flop_analysis``: convolutions and the fully connected layer, as the
paper
counts); the paper's 1.0 MobileNet-224 is checked against its printed counts too.
"""

import ast
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

from mnetcalc import MobileNetConfig, paper  # noqa: E402
from mnetcalc.runtime.counting import flop_analysis  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

from mnetcalc.book import from_scratch  # noqa: E402

#: (alpha, resolution): the paper's largest model, and one model of each other width.
SETTINGS = ((1.0, 224), (0.75, 192), (0.5, 160), (0.25, 128))


def fvcore_mult_adds(model, resolution):
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = flop_analysis(model.eval(), torch.zeros(1, 3, resolution, resolution))
        total = analysis.total()
        assert not analysis.unsupported_ops(), analysis.unsupported_ops()
    return total


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def test_the_student_copy_does_not_use_mnetcalc():
    """It lives in the package (so that a downloaded chapter can import it) but imports only
    torch: the reader sees the whole network in one file."""
    source = Path(from_scratch.__file__).read_text(encoding="utf-8")
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module or "."
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"torch"}, imported
    assert "mnetcalc" not in source.split('"""', 2)[2]  # the docstring may name it


@pytest.mark.parametrize(("alpha", "resolution"), SETTINGS)
def test_same_parameters_and_mult_adds_as_the_library(alpha, resolution):
    ours = from_scratch.mobilenet_v1(alpha)
    library = MobileNetConfig(alpha, resolution=resolution).model()
    assert [tuple(p.shape) for p in ours.parameters()] == [
        tuple(p.shape) for p in library.parameters()
    ]
    assert n_params(ours) == n_params(library)
    assert fvcore_mult_adds(ours, resolution) == fvcore_mult_adds(library, resolution)


def test_counts_round_to_the_printed_ones():
    row = paper.TABLE_4[1]  # 1.0 MobileNet-224: 569 million mult-adds, 4.2 million weights
    ours = from_scratch.mobilenet_v1(row.config["alpha"])
    batchnorm = [m for m in ours if isinstance(m, torch.nn.BatchNorm2d)]
    # The paper counts weights: no BatchNorm scales and shifts, no classifier biases.
    weights = n_params(ours) - sum(m.weight.numel() + m.bias.numel() for m in batchnorm)
    weights -= ours[-1].bias.numel()
    mult_adds = fvcore_mult_adds(ours, row.config["resolution"])
    assert paper.reproduces(mult_adds / 1e6, row.mult_adds)
    assert paper.reproduces(weights / 1e6, row.params)


def test_same_outputs_given_the_same_weights():
    torch.manual_seed(0)
    ours = from_scratch.mobilenet_v1(0.5).eval()
    library = MobileNetConfig(0.5).model(channels_last=False).eval()
    for module in ours.modules():  # BatchNorm statistics that are not the identity
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    ours_state, library_state = ours.state_dict(), library.state_dict()
    assert [v.shape for v in ours_state.values()] == [v.shape for v in library_state.values()]
    library.load_state_dict(dict(zip(library_state, ours_state.values())))
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), library(x), rtol=1e-4, atol=1e-5)
