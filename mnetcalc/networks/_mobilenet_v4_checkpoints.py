"""MobileNetV4's published checkpoints and timm's published counts, as data
(:mod:`mnetcalc.networks.mobilenet_v4` re-exports them; they are apart only to keep that module
short).

The authors released no weights ("Official weights for Tensorflow models are unreleased", timm's
model cards); every trained MobileNetV4 is Ross Wightman's, trained with timm and published on the
Hugging Face hub as ``timm/mobilenetv4_<variant>.<tag>``. Sources, huggingface/pytorch-image-models
@ aa4b5850 (timm 1.0.29.dev0): the tags (``timm/models/mobilenetv3.py``, ``default_cfgs``),
their ImageNet-1k validation top-1 and top-5 at each resolution timm evaluated them
(``results/results-imagenet.csv``: the training resolution and a larger test resolution), and the
GMACs and parameters of timm's benchmark (``results/benchmark-infer-amp-nchw-pt291-cu128-4090.csv``,
``infer_gmacs``: fvcore's default count, BatchNorm and the global pooling included, see
:func:`~mnetcalc.networks.mobilenet_v4.timm_mult_adds`).

Left out: the ``untrained`` tags and the five ImageNet-12k classifiers (11821 classes, no
ImageNet-1k accuracy). The 37 records are the 19 tags with an ImageNet-1k accuracy at each
resolution timm evaluated them.
"""

from __future__ import annotations

#: timm's ``infer_gmacs`` as printed: (variant, alpha, resolution) -> GMACs.
PUBLISHED_GMACS = {
    ("conv_small", 0.35, 224): 0.05,
    ("conv_small", 0.35, 256): 0.06,
    ("conv_small", 0.5, 224): 0.07,
    ("conv_small", 0.5, 256): 0.09,
    ("conv_small", 1.0, 224): 0.19,
    ("conv_small", 1.0, 256): 0.25,
    ("conv_small", 1.0, 320): 0.39,
    ("conv_medium", 1.0, 224): 0.84,
    ("conv_medium", 1.0, 256): 1.1,
    ("conv_medium", 1.0, 320): 1.71,
    ("conv_medium", 1.0, 384): 2.46,
    ("conv_large", 1.0, 256): 2.86,
    ("conv_large", 1.0, 320): 4.47,
    ("conv_large", 1.0, 384): 6.43,
    ("conv_large", 1.0, 448): 8.75,
    ("hybrid_medium", 0.75, 224): 0.66,
    ("hybrid_medium", 1.0, 224): 0.98,
    ("hybrid_medium", 1.0, 256): 1.29,
    ("hybrid_medium", 1.0, 320): 2.05,
    ("hybrid_medium", 1.0, 384): 3.01,
    ("hybrid_medium", 1.0, 448): 4.2,
    ("hybrid_large", 0.75, 256): 2.06,
    ("hybrid_large", 1.0, 384): 7.77,
    ("hybrid_large", 1.0, 448): 10.74,
    ("conv_aa_medium", 1.0, 256): 1.58,
    ("conv_blur_medium", 1.0, 224): 1.22,
    ("conv_blur_medium", 1.0, 256): 1.59,
    ("conv_aa_large", 1.0, 384): 7.07,
    ("conv_aa_large", 1.0, 448): 9.63,
    ("conv_aa_large", 1.0, 480): 11.05,
    ("conv_aa_large", 1.0, 544): 14.19,
}

#: timm's parameter counts as printed (millions): (variant, alpha) -> params.
PUBLISHED_PARAMS = {
    ("conv_small", 0.35): 1.91,
    ("conv_small", 0.5): 2.24,
    ("conv_small", 1.0): 3.77,
    ("conv_medium", 1.0): 9.72,
    ("conv_large", 1.0): 32.59,
    ("hybrid_medium", 0.75): 7.31,
    ("hybrid_medium", 1.0): 11.07,
    ("hybrid_large", 0.75): 22.75,
    ("hybrid_large", 1.0): 37.76,
    ("conv_aa_medium", 1.0): 9.72,
    ("conv_blur_medium", 1.0): 9.72,
    ("conv_aa_large", 1.0): 32.59,
}

#: The checkpoints with an ImageNet-1k accuracy: (timm model, tag, variant, alpha, ImageNet-12k
#: pre-training, ((evaluated resolution, top-1, top-5), ...)).
TIMM_CHECKPOINTS = (
    ("mobilenetv4_conv_small_050", "e3000_r224_in1k", "conv_small", 0.5, False,
     ((224, 64.778, 85.500), (256, 65.826, 86.416))),
    ("mobilenetv4_conv_small", "e2400_r224_in1k", "conv_small", 1.0, False,
     ((224, 73.756, 91.430), (256, 74.644, 92.022))),
    ("mobilenetv4_conv_small", "e1200_r224_in1k", "conv_small", 1.0, False,
     ((224, 73.450, 91.340), (256, 74.282, 92.122))),
    ("mobilenetv4_conv_small", "e3600_r256_in1k", "conv_small", 1.0, False,
     ((256, 74.534, 91.940), (320, 75.616, 92.768))),
    ("mobilenetv4_conv_medium", "e500_r256_in1k", "conv_medium", 1.0, False,
     ((256, 79.916, 95.188), (320, 80.890, 95.750))),
    ("mobilenetv4_conv_medium", "e500_r224_in1k", "conv_medium", 1.0, False,
     ((224, 79.092, 94.788), (256, 79.836, 95.192))),
    ("mobilenetv4_conv_medium", "e250_r384_in12k_ft_in1k", "conv_medium", 1.0, True,
     ((384, 82.776, 96.448),)),
    ("mobilenetv4_conv_large", "e600_r384_in1k", "conv_large", 1.0, False,
     ((384, 82.974, 96.244), (448, 83.418, 96.612))),
    ("mobilenetv4_conv_large", "e500_r256_in1k", "conv_large", 1.0, False,
     ((256, 81.864, 95.696), (320, 82.672, 96.310))),
    ("mobilenetv4_hybrid_medium", "e200_r256_in12k_ft_in1k", "hybrid_medium", 1.0, True,
     ((256, 82.360, 96.256), (320, 82.998, 96.676))),
    ("mobilenetv4_hybrid_medium", "ix_e550_r256_in1k", "hybrid_medium", 1.0, False,
     ((256, 81.478, 95.692), (320, 82.500, 96.286))),
    ("mobilenetv4_hybrid_medium", "ix_e550_r384_in1k", "hybrid_medium", 1.0, False,
     ((384, 82.952, 96.470), (448, 83.390, 96.766))),
    ("mobilenetv4_hybrid_medium", "e500_r224_in1k", "hybrid_medium", 1.0, False,
     ((224, 80.432, 95.378), (256, 81.284, 95.746))),
    ("mobilenetv4_hybrid_large", "ix_e600_r384_in1k", "hybrid_large", 1.0, False,
     ((384, 83.996, 96.714), (448, 84.352, 96.888))),
    ("mobilenetv4_hybrid_large", "e600_r384_in1k", "hybrid_large", 1.0, False,
     ((384, 83.826, 96.748), (448, 84.264, 96.956))),
    ("mobilenetv4_conv_blur_medium", "e500_r224_in1k", "conv_blur_medium", 1.0, False,
     ((224, 79.446, 94.920), (256, 80.152, 95.298))),
    ("mobilenetv4_conv_aa_large", "e230_r448_in12k_ft_in1k", "conv_aa_large", 1.0, True,
     ((448, 84.668, 97.108), (544, 84.990, 97.294))),
    ("mobilenetv4_conv_aa_large", "e230_r384_in12k_ft_in1k", "conv_aa_large", 1.0, True,
     ((384, 84.314, 97.102), (480, 84.772, 97.344))),
    ("mobilenetv4_conv_aa_large", "e600_r384_in1k", "conv_aa_large", 1.0, False,
     ((384, 83.264, 96.390), (480, 83.826, 96.720))),
)  # fmt: skip

#: Where the accuracies were published.
SOURCE = "timm (huggingface/pytorch-image-models, results/results-imagenet.csv; weights: " \
    "huggingface.co/timm/{model}.{tag})"  # fmt: skip


def checkpoints():
    """timm's MobileNetV4 checkpoints with an ImageNet-1k accuracy, one record per evaluated
    resolution (``<model>.<tag>@<resolution>``): accuracy and cost both change with it. Their
    ``mult_adds_m`` is timm's printed GMACs (BatchNorm and pooling included) in millions."""
    from ..latency_model.checkpoints import Checkpoint

    return tuple(
        Checkpoint(
            f"{model}.{tag}@{resolution}",
            "v4",
            "mobilenet_v4",
            (("alpha", alpha), ("variant", variant), ("resolution", resolution)),
            top1=top1,
            top5=top5,
            mult_adds_m=round(PUBLISHED_GMACS[variant, alpha, resolution] * 1000),
            params_m=PUBLISHED_PARAMS[variant, alpha],
            trainer="timm",
            extra_data=extra,
            source=SOURCE.format(model=model, tag=tag),
        )
        for model, tag, variant, alpha, extra, evaluated in TIMM_CHECKPOINTS
        for resolution, top1, top5 in evaluated
    )


__all__ = ["PUBLISHED_GMACS", "PUBLISHED_PARAMS", "SOURCE", "TIMM_CHECKPOINTS", "checkpoints"]
