"""MobileNet v1 from scratch, in plain PyTorch (Howard et al. 2017, Table 1).

A reading copy for students: it imports nothing of mnetcalc, so that the book
and tests/test_from_scratch.py can check it against the library's model. It
lives in the package so that a chapter downloaded as a notebook can import it:
from mnetcalc.book.from_scratch import mobilenet_v1."""

# A reading copy, shown in the book as it is: 79 columns, the table compact.
# fmt: off

from torch import nn

# The 13 depthwise separable blocks: (stride of the depthwise layer,
# output channels of the pointwise layer). Table 1, the "5x" rows written out.
BLOCKS = [
    (1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512),
    (1, 512), (1, 512), (1, 512), (1, 512), (1, 512),
    (2, 1024), (1, 1024),
]


def conv_bn_relu(c_in, c_out, kernel, stride, groups=1):
    """A convolution ("same" padding, no bias), then BatchNorm and ReLU."""
    conv = nn.Conv2d(c_in, c_out, kernel, stride, padding=kernel // 2,
                     groups=groups, bias=False)
    return [conv, nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


def separable_block(c_in, c_out, stride):
    """3x3 depthwise (one filter per channel: groups=c_in), then 1x1."""
    depthwise = conv_bn_relu(c_in, c_in, 3, stride, groups=c_in)
    return depthwise + conv_bn_relu(c_in, c_out, 1, 1)


def mobilenet_v1(alpha=1.0, num_classes=1000, blocks=BLOCKS):
    """The whole network; alpha is the width multiplier."""

    def width(channels):  # thin every layer, but never below 8 channels
        return max(8, int(alpha * channels))

    c_in = width(32)
    layers = conv_bn_relu(3, c_in, 3, 2)  # the stem: a standard 3x3 conv
    for stride, c_out in blocks:
        layers += separable_block(c_in, width(c_out), stride)
        c_in = width(c_out)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(c_in, num_classes)]
    return nn.Sequential(*layers)
