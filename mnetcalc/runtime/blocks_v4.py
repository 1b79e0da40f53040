"""The PyTorch modules of MobileNetV4's own layer types (:mod:`mnetcalc.networks.mobilenet_v4`):
layer scale, multi-query attention and the blur pool of the anti-aliased variants. The spec types
build them through their ``torch_module`` (:func:`mnetcalc.runtime.layer_modules.layer_module`);
everything else in MobileNetV4 is made of the generic layers (convolutions, BatchNorm, residual
blocks).

Every child carries the name of the calculator's row it computes (``query``, ``key_down``, ``qk``,
``softmax``, ``av``, ``output``, ...), so that fvcore's per-module count
(:func:`mnetcalc.runtime.counting.check_counts`) compares row by row; the two matrix products are
modules of their own (:class:`MatMul`) for that reason.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["BlurPool2d", "LayerScale2d", "MatMul", "MultiQueryAttention2d"]


class BlurPool2d(nn.Module):
    """Each channel convolved with [1, 2, 1]^T [1, 2, 1] / 16, stride 2, zero padding 1 (a buffer,
    not a parameter)."""

    def __init__(self, channels: int):
        super().__init__()
        taps = torch.tensor([1.0, 2.0, 1.0])
        kernel = (taps[:, None] * taps[None, :] / 16).expand(channels, 1, 3, 3).contiguous()
        self.register_buffer("filt", kernel, persistent=False)
        self.channels = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.filt, stride=2, padding=1, groups=self.channels)


class LayerScale2d(nn.Module):
    """The map times ``gamma``, one learned factor per channel (initially ``init``)."""

    def __init__(self, channels: int, init: float):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((channels,), float(init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma.view(1, -1, 1, 1)


class MatMul(nn.Module):
    """``a @ b``: one of attention's two matrix products, as a module so that it has a name."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(a, b)


class MultiQueryAttention2d(nn.Module):
    """Multi-query attention on a ``(batch, channels, H, W)`` map, built from its spec
    (:class:`mnetcalc.networks.mobilenet_v4.MultiQueryAttention`): ``heads`` queries of
    ``key_dim`` per pixel, one key and one value per (down-sampled) pixel shared by every head,
    ``softmax(Q K^T / sqrt(key_dim)) V``, then the output projection."""

    def __init__(self, spec, in_channels: int, side: int, dropout: float):
        super().__init__()
        from .layer_modules import layer_module

        self.heads, self.key_dim = spec.heads, spec.key_dim
        self.scale = spec.key_dim**-0.5
        self.down = spec.kv_stride > 1
        for part, layer, channels, part_side in spec.projections(in_channels, side):
            if part == "output":
                self.qk, self.softmax, self.av = MatMul(), nn.Softmax(dim=-1), MatMul()
            self.add_module(part, layer_module(part, layer, channels, part_side, dropout))

    def _tokens(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, h, w)`` -> ``(B, 1, h * w, C)``: one row per pixel, shared by the heads."""
        return x.reshape(x.shape[0], x.shape[1], -1).transpose(1, 2).unsqueeze(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Only the calculator's rows make tensors (mnetcalc.memory): the scores are scaled in place
        # (the same as scaling the queries), and ``av`` is computed as V^T S^T, whose result is
        # already the output projection's (B, heads * key_dim, H, W) map (no layout copy).
        batch, _, height, width = x.shape
        q = self.query(x).reshape(batch, self.heads, self.key_dim, -1).transpose(-1, -2)
        k = self.key(self.key_down(x) if self.down else x)
        v = self.value(self.value_down(x) if self.down else x)
        scores = self.qk(q, self._tokens(k).transpose(-1, -2)).mul_(self.scale)
        probs = self.softmax(scores)  # (B, heads, H * W, M)
        values = self._tokens(v).transpose(-1, -2).expand(-1, self.heads, -1, -1)
        o = self.av(values, probs.transpose(-1, -2))  # (B, heads, key_dim, H * W)
        return self.output(o.reshape(batch, -1, height, width))
