"""The inference engines people deploy with, each built from one model's weights as a callable on
one input batch (a :data:`Runner`): the plain PyTorch model,
:func:`~mnetcalc.runtime.model.optimize`, ONNX Runtime and OpenVINO (float32 forced, and its default
precision); and a check that they agree (:func:`agreement`).

Every engine gets the same thread count. ONNX Runtime's idle threads busy-wait by default, which on
a small machine steals the CPU from whatever runs next (the other engines of an interleaved run):
here spinning is switched off for both its intra-op and inter-op pools
(``session.intra_op.allow_spinning`` = ``session.inter_op.allow_spinning`` = 0). The ONNX file
comes from ``torch.onnx.export`` with the TorchScript exporter (``dynamo=False``; the dynamo
exporter gives the same outputs but took five times as long to export);
OpenVINO reads that same file.

Imports torch at import time; onnxruntime and openvino only when their engine is built.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .model import optimize, torch_threads

#: Engine names, in the order they are built and timed. "openvino" runs at OpenVINO's default
#: inference precision for this CPU (bf16 where the CPU computes bf16 natively: AMX, or AVX-512
#: bf16 as on recent AMD EPYC; float32 elsewhere; :func:`openvino_precision`); "openvino_f32"
#: forces float32 (``INFERENCE_PRECISION_HINT`` f32).
ENGINES = ("plain", "optimized", "onnxruntime", "openvino_f32", "openvino")

#: The engines that compute in float32 whatever the CPU.
FLOAT32_ENGINES = ("plain", "optimized", "onnxruntime", "openvino_f32")

#: Largest difference from the plain model's output, relative to max(1, its largest magnitude),
#: that counts as agreement for a float32 engine (float32 rounding over ~30 layers, reordered sums).
FLOAT32_TOLERANCE = 1e-4

Runner = Callable[[torch.Tensor], np.ndarray]


def export_onnx(model: nn.Module, example: torch.Tensor, path: str | Path) -> Path:
    """``model`` (eval mode) exported to ONNX at ``path`` with torch's TorchScript exporter, batch
    dimension dynamic."""
    path = Path(path)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated in torch 2.13
        torch.onnx.export(
            model.eval(),
            (example,),
            str(path),
            dynamo=False,
            input_names=["images"],
            output_names=["logits"],
            dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
        )
    return path


def onnxruntime_runner(path: str | Path, threads: int) -> Runner:
    """An ONNX Runtime session on ``path``: all graph optimisations, ``threads`` intra-op threads,
    sequential execution, no spinning."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def run(x: torch.Tensor) -> np.ndarray:
        return session.run(None, {name: _numpy(x)})[0]

    return run


def openvino_runner(path: str | Path, threads: int, precision: str | None = None) -> Runner:
    """An OpenVINO CPU model compiled from the ONNX file at ``path`` for latency (one stream,
    ``threads`` inference threads); ``precision`` "f32" forces float32, None keeps the plugin's
    default (see :func:`openvino_precision`)."""
    import openvino as ov

    config = {"PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": "1"}
    config["INFERENCE_NUM_THREADS"] = str(threads)
    if precision is not None:
        config["INFERENCE_PRECISION_HINT"] = precision
    compiled = ov.Core().compile_model(str(path), "CPU", config)
    request = compiled.create_infer_request()

    def run(x: torch.Tensor) -> np.ndarray:
        request.infer({0: _numpy(x)}, share_inputs=True)
        return request.get_output_tensor(0).data.copy()

    run.compiled_model = compiled
    return run


def openvino_precision(runner: Runner) -> str:
    """The inference precision an OpenVINO runner really computes in (e.g. "f32", "bf16")."""
    return runner.compiled_model.get_property("INFERENCE_PRECISION_HINT").to_string()


def torch_runner(model: nn.Module) -> Runner:
    def run(x: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return model(x).numpy()

    return run


def _numpy(x) -> np.ndarray:
    return np.ascontiguousarray(x.numpy() if isinstance(x, torch.Tensor) else x, dtype=np.float32)


def engine_runners(
    model: nn.Module,
    resolution: int,
    *,
    threads: int,
    engines: Iterable[str] = ENGINES,
    in_channels: int = 3,
    workdir: str | Path | None = None,
) -> dict[str, Runner]:
    """The named ``engines`` (:data:`ENGINES`) built from ``model``'s weights, each a callable
    taking a ``(batch, in_channels, resolution, resolution)`` float32 tensor and returning the
    logits as a numpy array. The ONNX file goes to ``workdir`` (default: a temporary folder that
    lives as long as the process)."""
    engines = tuple(engines)
    unknown = [name for name in engines if name not in ENGINES]
    if unknown:
        raise ValueError(f"unknown engine {unknown[0]!r}; choose from {', '.join(ENGINES)}")
    model = model.eval()
    example = torch.zeros(1, in_channels, resolution, resolution)
    runners: dict[str, Runner] = {}
    onnx_path = None
    if any(name.startswith(("onnx", "openvino")) for name in engines):
        folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="mnetcalc-onnx-"))
        onnx_path = export_onnx(model, example, folder / "model.onnx")
    with torch_threads(threads):
        for name in engines:
            if name == "plain":
                runners[name] = torch_runner(model)
            elif name == "optimized":
                runners[name] = torch_runner(
                    optimize(model, resolution, in_channels=in_channels, threads=threads)
                )
            elif name == "onnxruntime":
                runners[name] = onnxruntime_runner(onnx_path, threads)
            elif name == "openvino_f32":
                runners[name] = openvino_runner(onnx_path, threads, "f32")
            else:
                runners[name] = openvino_runner(onnx_path, threads)
    return runners


@dataclass(frozen=True)
class Agreement:
    """How far an engine's output is from the plain model's: max |difference| relative to
    max(1, max |plain output|), and whether that is within ``tolerance``."""

    engine: str
    error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.error <= self.tolerance


def agreement(
    runners: Mapping[str, Runner],
    x: torch.Tensor,
    *,
    reference: str = "plain",
    tolerance: float = FLOAT32_TOLERANCE,
    tolerances: Mapping[str, float] | None = None,
) -> dict[str, Agreement]:
    """Each runner's :class:`Agreement` with ``runners[reference]`` on the input ``x``;
    ``tolerances`` overrides ``tolerance`` per engine (e.g. for a bf16 engine)."""
    with torch.no_grad():
        expected = runners[reference](x)
    scale = max(1.0, float(np.abs(expected).max()))
    result = {}
    for name, run in runners.items():
        error = float(np.abs(run(x) - expected).max()) / scale
        result[name] = Agreement(name, error, (tolerances or {}).get(name, tolerance))
    return result
