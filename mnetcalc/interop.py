"""Published weights of torchvision and timm in mnetcalc's models: a key map from a peer's
``state_dict`` onto ours, and the loader that uses it.

Where torchvision or timm builds a network of this library with the same layers (the same
convolutions, BatchNorms and classifier, in the same order), their ``state_dict`` holds the same
tensors under other names: ``features.0.0.weight`` (torchvision) or ``conv_stem.weight`` (timm) is
our ``conv0.conv.weight``. :func:`key_map` pairs the two lists of keys in order and checks each
pair (the same kind of tensor, the same number of elements; a fully connected layer may meet a 1x1
convolution of the same weights); :func:`load_peer_weights` copies a peer's tensors into our model
with it. :data:`PEER_MODELS` lists the peers' models this is tested on (``tests/peers/`` runs them
side by side, outputs equal). ``channels="tf-slim"`` builds timm's 0.75 MobileNetV3 ports.

Torch-free at import (the loader imports torch when called).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .validation import InvalidArgument

#: The peers' models whose weights fit one of our networks: ``(library, model)`` ->
#: ``(network, options, batchnorm_eps)``, where ``options`` are the keyword arguments of
#: :func:`~mnetcalc.networks.registry.config` and ``batchnorm_eps`` the peer's BatchNorm
#: epsilon (torchvision's MobileNetV3 uses 0.001, the others PyTorch's default 1e-5). timm's
#: ``mobilenetv1_100`` is in :data:`RELU6_PEERS`: its weights fit, but it uses ReLU6 where the
#: paper (and our v1) use ReLU.
PEER_MODELS = {
    ("torchvision", "mobilenet_v2"): ("mobilenet_v2", {}, 1e-5),
    ("torchvision", "mobilenet_v3_large"): ("mobilenet_v3", {"variant": "large"}, 1e-3),
    ("torchvision", "mobilenet_v3_small"): ("mobilenet_v3", {"variant": "small"}, 1e-3),
    ("timm", "mobilenetv1_100"): ("mobilenet_v1", {}, 1e-5),
    ("timm", "mobilenetv2_100"): ("mobilenet_v2", {}, 1e-5),
    ("timm", "mobilenetv2_050"): ("mobilenet_v2", {"alpha": 0.5}, 1e-5),
    ("timm", "mobilenetv3_large_100"): ("mobilenet_v3", {"variant": "large"}, 1e-5),
    (
        "timm",
        "mobilenetv3_large_075",
    ): ("mobilenet_v3", {"variant": "large", "alpha": 0.75, "channels": "tf-slim"}, 1e-5),
    ("timm", "mobilenetv3_small_100"): ("mobilenet_v3", {"variant": "small"}, 1e-5),
}


#: Peers whose network is ours with ReLU6 in place of ReLU (:func:`load_peer_weights`'s
#: ``relu6=True`` swaps them, so that the outputs agree).
RELU6_PEERS = {("timm", "mobilenetv1_100")}


def _kind(key: str) -> str:
    """What a tensor is, by the last word of its key: ``weight``, ``bias``, ``running_mean``..."""
    return key.rpartition(".")[2]


def _numel(shape: Sequence[int]) -> int:
    count = 1
    for side in shape:
        count *= side
    return count


def key_map(
    ours: Mapping[str, Sequence[int]], theirs: Mapping[str, Sequence[int]]
) -> dict[str, str]:
    """Their key -> our key, pairing the two ``state_dict`` key lists (with each tensor's shape)
    in order. Each pair must be the same kind of tensor (``weight`` with ``weight``, ...) with
    the same shape, or the same number of elements where a fully connected layer meets a 1x1
    convolution; otherwise :class:`~mnetcalc.validation.InvalidArgument` names the first pair
    that differs (or says which side has tensors left over)."""
    our_keys, their_keys = list(ours), list(theirs)
    mapping = {}
    for mine, peer in zip(our_keys, their_keys):  # noqa: B905 (lengths compared below)
        a, b = tuple(ours[mine]), tuple(theirs[peer])
        same = a == b or (_numel(a) == _numel(b) and len(a) in (2, 4) and len(b) in (2, 4))
        if _kind(mine) != _kind(peer) or not same:
            raise InvalidArgument(
                f"state_dict key {peer!r} {list(b)} does not fit our {mine!r} {list(a)}",
                "state_dict",
            )
        mapping[peer] = mine
    if len(our_keys) != len(their_keys):
        extra = their_keys[len(our_keys) :] or our_keys[len(their_keys) :]
        side = "theirs" if len(their_keys) > len(our_keys) else "ours"
        raise InvalidArgument(
            f"state_dict sizes differ: {len(their_keys)} tensors against our {len(our_keys)}; "
            f"{side} has {extra[0]!r} and {len(extra) - 1} more left over",
            "state_dict",
        )
    return mapping


def shapes(state_dict: Mapping) -> dict[str, list[int]]:
    """Each key of a ``state_dict`` with its tensor's shape (what :func:`key_map` compares)."""
    return {key: list(value.shape) for key, value in state_dict.items()}


def load_peer_weights(
    model, state_dict: Mapping, *, batchnorm_eps: float | None = None, relu6: bool = False
):
    """Copy a peer's ``state_dict`` (torchvision's or timm's, of the same network) into our
    ``model`` (built by ``config(...).model()``), through :func:`key_map`; returns the model.
    ``batchnorm_eps`` sets our BatchNorms' epsilon to the peer's (:data:`PEER_MODELS`), ``relu6``
    replaces each ReLU with a ReLU6 (:data:`RELU6_PEERS`), so that the outputs are the peer's.
    Needs torch."""
    from torch import nn

    ours = model.state_dict()
    mapping = key_map(shapes(ours), shapes(state_dict))
    mapped = {mine: state_dict[peer].reshape(ours[mine].shape) for peer, mine in mapping.items()}
    model.load_state_dict(mapped, strict=True)
    if batchnorm_eps is not None:
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eps = batchnorm_eps
    if relu6:
        for parent in list(model.modules()):
            for name, child in list(parent.named_children()):
                if type(child) is nn.ReLU:
                    setattr(parent, name, nn.ReLU6(inplace=child.inplace))
    return model


def peer_model(library: str, name: str, state_dict: Mapping):
    """Our model of the peer's ``library`` / ``name`` (:data:`PEER_MODELS`) with its weights from
    ``state_dict`` (e.g. ``torchvision.models.mobilenet_v2(weights=...).state_dict()``). Needs
    torch."""
    from .networks.registry import config

    entry = PEER_MODELS.get((library, name))
    if entry is None:
        known = ", ".join(f"{lib}/{model}" for lib, model in PEER_MODELS)
        raise InvalidArgument(f"no key map for {library}/{name}; known: {known}", "name")
    network, options, eps = entry
    model = config(network, **options).model()
    relu6 = (library, name) in RELU6_PEERS
    return load_peer_weights(model, state_dict, batchnorm_eps=eps, relu6=relu6)


__all__ = ["PEER_MODELS", "RELU6_PEERS", "key_map", "load_peer_weights", "peer_model", "shapes"]
