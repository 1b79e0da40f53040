"""MobileNetV4 (mnetcalc.networks.mobilenet_v4) against independent counts: fvcore on timm's models
(numbers from tests/peers/mobilenet_v4_timm.py), timm's published GMACs and parameters, hand counts
of a Mobile MQA block, fvcore on the library's own PyTorch model; the catalog of timm's checkpoints,
the latency model's kinds and bad input."""

from __future__ import annotations

import math

import pytest

from mnetcalc.cli import main
from mnetcalc.core.layers import (
    ADD,
    BATCHNORM,
    CONV_DW,
    GELU,
    LAYER_SCALE,
    MATMUL,
    SOFTMAX,
)
from mnetcalc.latency_model.checkpoints import published_checkpoints
from mnetcalc.networks import mobilenet_v4 as v4
from mnetcalc.networks.mobilenet_v4 import (
    DEFAULT_RESOLUTIONS,
    PUBLISHED_GMACS,
    PUBLISHED_PARAMS,
    VARIANTS,
    MobileNetV4Config,
    mobilenet_v4_spec,
    timm_mult_adds,
)
from mnetcalc.validation import InputTooSmall, InvalidArgument

#: timm 1.0.31 (torch 2.14.1, in the peers' virtual environment, TIMM_FUSED_ATTN=0), 1000 classes:
#: ``_gen_mobilenet_v4("mobilenetv4_<variant>", channel_multiplier=width)``; fvcore 0.1.5 on a
#: 1 x 3 x res x res input: the ``conv`` + ``linear`` + ``matmul`` mult-adds (every other operator
#: left out), the ``matmul`` part alone, fvcore's default count (timm's published GMACs) and
#: ``sum(p.numel())``. (variant, width, resolution) -> those four.
TIMM = {
    ("conv_small", 0.5, 97): (16_732_096, 0, 17_292_384, 2_238_952),
    ("conv_small", 0.5, 128): (22_415_872, 0, 23_198_208, 2_238_952),
    ("conv_small", 0.5, 224): (64_741_408, 0, 67_132_032, 2_238_952),
    ("conv_small", 0.5, 256): (83_980_288, 0, 87_101_952, 2_238_952),
    ("conv_small", 0.75, 97): (30_168_176, 0, 30_930_496, 2_933_912),
    ("conv_small", 0.75, 128): (39_619_328, 0, 40_660_480, 2_933_912),
    ("conv_small", 0.75, 224): (116_793_392, 0, 119_976_640, 2_933_912),
    ("conv_small", 0.75, 256): (151_872_512, 0, 156_029_440, 2_933_912),
    ("conv_small", 1.0, 97): (48_102_432, 0, 49_066_784, 3_774_024),
    ("conv_small", 1.0, 128): (62_426_112, 0, 63_726_080, 3_774_024),
    ("conv_small", 1.0, 224): (186_005_568, 0, 189_981_440, 3_774_024),
    ("conv_small", 1.0, 256): (242_178_048, 0, 247_370_240, 3_774_024),
    ("conv_small", 1.25, 97): (72_853_480, 0, 74_058_280, 4_762_400),
    ("conv_small", 1.25, 128): (94_670_080, 0, 96_294_400, 4_762_400),
    ("conv_small", 1.25, 224): (284_119_120, 0, 289_088_320, 4_762_400),
    ("conv_small", 1.25, 256): (370_232_320, 0, 376_721_920, 4_762_400),
    ("conv_medium", 0.5, 97): (77_235_800, 0, 78_804_504, 3_803_488),
    ("conv_medium", 0.5, 128): (103_990_784, 0, 106_157_568, 3_803_488),
    ("conv_medium", 0.5, 224): (314_564_576, 0, 321_195_072, 3_803_488),
    ("conv_medium", 0.5, 256): (410_279_936, 0, 418_939_392, 3_803_488),
    ("conv_medium", 0.75, 97): (138_702_320, 0, 140_953_952, 6_343_320),
    ("conv_medium", 0.75, 128): (178_498_304, 0, 181_574_144, 6_343_320),
    ("conv_medium", 0.75, 224): (542_110_256, 0, 551_524_736, 6_343_320),
    ("conv_medium", 0.75, 256): (707_388_416, 0, 719_684_096, 6_343_320),
    ("conv_medium", 1.0, 97): (217_603_152, 0, 220_424_336, 9_715_512),
    ("conv_medium", 1.0, 128): (271_942_656, 0, 275_749_376, 9_715_512),
    ("conv_medium", 1.0, 224): (827_649_984, 0, 839_302_784, 9_715_512),
    ("conv_medium", 1.0, 256): (1_080_244_224, 0, 1_095_463_424, 9_715_512),
    ("conv_medium", 1.25, 97): (339_879_232, 0, 343_461_760, 14_000_408),
    ("conv_medium", 1.25, 128): (425_920_768, 0, 430_767_616, 14_000_408),
    ("conv_medium", 1.25, 224): (1_298_574_352, 0, 1_313_412_544, 14_000_408),
    ("conv_medium", 1.25, 256): (1_695_235_072, 0, 1_714_614_784, 14_000_408),
    ("conv_large", 0.5, 97): (175_051_968, 0, 177_570_192, 9_608_248),
    ("conv_large", 0.5, 128): (202_389_504, 0, 205_630_464, 9_608_248),
    ("conv_large", 0.5, 224): (615_910_656, 0, 625_830_816, 9_608_248),
    ("conv_large", 0.5, 256): (803_874_816, 0, 816_830_976, 9_608_248),
    ("conv_large", 0.75, 97): (368_412_112, 0, 372_105_952, 19_267_880),
    ("conv_large", 0.75, 128): (417_230_848, 0, 421_951_744, 19_267_880),
    ("conv_large", 0.75, 224): (1_273_228_672, 0, 1_287_681_136, 19_267_880),
    ("conv_large", 0.75, 256): (1_662_318_592, 0, 1_681_194_496, 19_267_880),
    ("conv_large", 1.0, 97): (634_167_544, 0, 638_966_184, 32_590_864),
    ("conv_large", 1.0, 128): (710_699_008, 0, 716_785_152, 32_590_864),
    ("conv_large", 1.0, 224): (2_171_341_312, 0, 2_189_974_848, 32_590_864),
    ("conv_large", 1.0, 256): (2_835_269_632, 0, 2_859_606_528, 32_590_864),
    ("conv_large", 1.25, 97): (989_945_824, 0, 995_998_496, 49_610_280),
    ("conv_large", 1.25, 128): (1_111_564_288, 0, 1_119_261_440, 49_610_280),
    ("conv_large", 1.25, 224): (3_398_357_632, 0, 3_421_924_880, 49_610_280),
    ("conv_large", 1.25, 256): (4_437_809_152, 0, 4_468_590_080, 49_610_280),
    ("hybrid_medium", 0.5, 97): (94_484_056, 2_129_920, 96_137_368, 4_417_520),
    ("hybrid_medium", 0.5, 128): (124_188_160, 2_621_440, 126_449_152, 4_417_520),
    ("hybrid_medium", 0.5, 224): (392_977_120, 24_586_240, 399_896_128, 4_417_520),
    ("hybrid_medium", 0.5, 256): (522_526_720, 41_943_040, 531_563_008, 4_417_520),
    ("hybrid_medium", 0.75, 97): (164_296_176, 2_129_920, 166_674_720, 7_313_528),
    ("hybrid_medium", 0.75, 128): (208_270_080, 2_621_440, 211_487_232, 7_313_528),
    ("hybrid_medium", 0.75, 224): (649_844_400, 24_586_240, 659_691_648, 7_313_528),
    ("hybrid_medium", 0.75, 256): (857_932_800, 41_943_040, 870_793_728, 7_313_528),
    ("hybrid_medium", 1.0, 97): (252_066_896, 2_129_920, 255_057_296, 11_074_648),
    ("hybrid_medium", 1.0, 128): (311_813_120, 2_621_440, 315_808_256, 11_074_648),
    ("hybrid_medium", 1.0, 224): (966_311_360, 24_586_240, 978_541_184, 11_074_648),
    ("hybrid_medium", 1.0, 256): (1_271_183_360, 41_943_040, 1_287_156_224, 11_074_648),
    ("hybrid_medium", 1.25, 97): (383_737_152, 2_129_920, 387_531_200, 15_781_256),
    ("hybrid_medium", 1.25, 128): (476_414_208, 2_621_440, 481_496_576, 15_781_256),
    ("hybrid_medium", 1.25, 224): (1_469_768_592, 24_586_240, 1_485_328_064, 15_781_256),
    ("hybrid_medium", 1.25, 256): (1_928_666_112, 41_943_040, 1_948_987_904, 15_781_256),
    ("hybrid_large", 0.5, 97): (221_025_472, 3_457_024, 223_687_824, 11_670_840),
    ("hybrid_large", 0.5, 128): (253_523_968, 4_194_304, 256_920_576, 11_670_840),
    ("hybrid_large", 0.5, 224): (799_002_880, 39_337_984, 809_399_712, 11_670_840),
    ("hybrid_large", 0.5, 256): (1_058_744_320, 67_108_864, 1_072_323_072, 11_670_840),
    ("hybrid_large", 0.75, 97): (441_935_312, 3_457_024, 445_845_344, 22_754_984),
    ("hybrid_large", 0.75, 128): (498_126_848, 4_194_304, 503_081_216, 22_754_984),
    ("hybrid_large", 0.75, 224): (1_547_465_600, 39_337_984, 1_562_633_072, 22_754_984),
    ("hybrid_large", 0.75, 256): (2_036_234_240, 67_108_864, 2_056_044_032, 22_754_984),
    ("hybrid_large", 1.0, 97): (739_434_744, 3_457_024, 744_521_640, 37_764_624),
    ("hybrid_large", 1.0, 128): (825_550_848, 4_194_304, 831_948_288, 37_764_624),
    ("hybrid_large", 1.0, 224): (2_549_568_000, 39_337_984, 2_569_154_880, 37_764_624),
    ("hybrid_large", 1.0, 256): (3_345_008_640, 67_108_864, 3_370_590_720, 37_764_624),
    ("hybrid_large", 1.25, 97): (1_131_151_328, 3_457_024, 1_137_564_320, 56_732_840),
    ("hybrid_large", 1.25, 128): (1_264_566_272, 4_194_304, 1_272_652_544, 56_732_840),
    ("hybrid_large", 1.25, 224): (3_893_419_136, 39_337_984, 3_918_178_064, 56_732_840),
    ("hybrid_large", 1.25, 256): (5_100_148_736, 67_108_864, 5_132_486_144, 56_732_840),
    ("conv_small", 1.0, 320): (376_992_000, 0, 385_103_360, 3_774_024),
    ("conv_medium", 1.0, 320): (1_686_470_400, 0, 1_710_248_960, 9_715_512),
    ("conv_medium", 1.0, 384): (2_427_413_504, 0, 2_461_653_504, 9_715_512),
    ("conv_large", 1.0, 320): (4_428_697_600, 0, 4_466_722_560, 32_590_864),
    ("conv_large", 1.0, 384): (6_376_220_672, 0, 6_430_975_488, 32_590_864),
    ("conv_large", 1.0, 448): (8_677_838_848, 0, 8_752_365_312, 32_590_864),
    ("hybrid_medium", 1.0, 320): (2_021_676_800, 102_400_000, 2_046_632_960, 11_074_648),
    ("hybrid_medium", 1.0, 384): (2_974_991_360, 212_336_640, 3_010_927_104, 11_074_648),
    ("hybrid_medium", 1.0, 448): (4_152_753_920, 393_379_840, 4_201_665_536, 11_074_648),
    ("hybrid_large", 1.0, 384): (7_711_877_120, 339_738_624, 7_769_433_600, 37_764_624),
    ("hybrid_large", 1.0, 448): (10_662_801_408, 629_407_744, 10_741_141_248, 37_764_624),
    ("conv_aa_medium", 0.5, 97): (128_693_024, 0, 130_547_072, 3_803_488),
    ("conv_aa_medium", 0.5, 128): (220_808_192, 0, 224_047_104, 3_803_488),
    ("conv_aa_medium", 0.5, 224): (672_317_888, 0, 682_231_776, 3_803_488),
    ("conv_aa_medium", 0.5, 256): (877_549_568, 0, 890_497_536, 3_803_488),
    ("conv_aa_medium", 0.75, 97): (171_979_904, 0, 174_444_656, 6_343_320),
    ("conv_aa_medium", 0.75, 128): (297_523_712, 0, 301_848_320, 6_343_320),
    ("conv_aa_medium", 0.75, 224): (906_625_568, 0, 919_864_400, 6_343_320),
    ("conv_aa_medium", 0.75, 256): (1_183_490_048, 0, 1_200_780_800, 6_343_320),
    ("conv_aa_medium", 1.0, 97): (225_443_552, 0, 228_380_768, 9_715_512),
    ("conv_aa_medium", 1.0, 128): (392_331_264, 0, 397_495_808, 9_715_512),
    ("conv_aa_medium", 1.0, 224): (1_196_340_096, 0, 1_212_151_232, 9_715_512),
    ("conv_aa_medium", 1.0, 256): (1_561_798_656, 0, 1_582_449_152, 9_715_512),
    ("conv_aa_medium", 1.25, 97): (351_296_792, 0, 355_036_792, 14_000_408),
    ("conv_aa_medium", 1.25, 128): (612_218_368, 0, 618_796_288, 14_000_408),
    ("conv_aa_medium", 1.25, 224): (1_869_110_752, 0, 1_889_250_352, 14_000_408),
    ("conv_aa_medium", 1.25, 256): (2_440_425_472, 0, 2_466_729_472, 14_000_408),
    ("conv_blur_medium", 0.5, 97): (145_957_640, 0, 148_157_832, 3_803_488),
    ("conv_blur_medium", 0.5, 128): (222_416_384, 0, 225_655_296, 3_803_488),
    ("conv_blur_medium", 0.5, 224): (677_242_976, 0, 687_156_864, 3_803_488),
    ("conv_blur_medium", 0.5, 256): (883_982_336, 0, 896_930_304, 3_803_488),
    ("conv_blur_medium", 0.75, 97): (208_979_168, 0, 211_971_056, 6_343_320),
    ("conv_blur_medium", 0.75, 128): (299_396_864, 0, 303_721_472, 6_343_320),
    ("conv_blur_medium", 0.75, 224): (912_362_096, 0, 925_600_928, 6_343_320),
    ("conv_blur_medium", 0.75, 256): (1_190_982_656, 0, 1_208_273_408, 6_343_320),
    ("conv_blur_medium", 1.0, 97): (288_856_368, 0, 292_485_872, 9_715_512),
    ("conv_blur_medium", 1.0, 128): (394_368_000, 0, 399_532_544, 9_715_512),
    ("conv_blur_medium", 1.0, 224): (1_202_577_600, 0, 1_218_388_736, 9_715_512),
    ("conv_blur_medium", 1.0, 256): (1_569_945_600, 0, 1_590_596_096, 9_715_512),
    ("conv_blur_medium", 1.25, 97): (449_694_592, 0, 454_307_872, 14_000_408),
    ("conv_blur_medium", 1.25, 128): (614_814_976, 0, 621_392_896, 14_000_408),
    ("conv_blur_medium", 1.25, 224): (1_877_062_864, 0, 1_897_202_464, 14_000_408),
    ("conv_blur_medium", 1.25, 256): (2_450_811_904, 0, 2_477_115_904, 14_000_408),
    ("conv_aa_large", 0.5, 97): (154_393_352, 0, 156_717_720, 9_608_248),
    ("conv_aa_large", 0.5, 128): (269_316_096, 0, 273_404_928, 9_608_248),
    ("conv_aa_large", 0.5, 224): (820_873_344, 0, 833_390_112, 9_608_248),
    ("conv_aa_large", 0.5, 256): (1_071_581_184, 0, 1_087_928_832, 9_608_248),
    ("conv_aa_large", 0.75, 97): (276_456_008, 0, 279_699_240, 19_267_880),
    ("conv_aa_large", 0.75, 128): (486_077_440, 0, 491_799_808, 19_267_880),
    ("conv_aa_large", 0.75, 224): (1_484_071_360, 0, 1_501_590_832, 19_267_880),
    ("conv_aa_large", 0.75, 256): (1_937_704_960, 0, 1_960_586_752, 19_267_880),
    ("conv_aa_large", 1.0, 97): (442_400_648, 0, 446_470_584, 32_590_864),
    ("conv_aa_large", 1.0, 128): (780_851_200, 0, 788_043_264, 32_590_864),
    ("conv_aa_large", 1.0, 224): (2_386_182_400, 0, 2_408_202_816, 32_590_864),
    ("conv_aa_large", 1.0, 256): (3_115_878_400, 0, 3_144_638_976, 32_590_864),
    ("conv_aa_large", 1.25, 97): (698_556_320, 0, 703_737_200, 49_610_280),
    ("conv_aa_large", 1.25, 128): (1_233_181_696, 0, 1_242_334_976, 49_610_280),
    ("conv_aa_large", 1.25, 224): (3_770_810_944, 0, 3_798_837_584, 49_610_280),
    ("conv_aa_large", 1.25, 256): (4_924_278_784, 0, 4_960_884_224, 49_610_280),
    ("conv_aa_large", 1.0, 384): (7_007_590_400, 0, 7_072_298_496, 32_590_864),
    ("conv_aa_large", 1.0, 448): (9_537_203_200, 0, 9_625_277_184, 32_590_864),
    ("conv_aa_large", 1.0, 480): (10_947_948_800, 0, 11_049_053_760, 32_590_864),
    ("conv_aa_large", 1.0, 544): (14_061_318_400, 0, 14_191_181_376, 32_590_864),
}


@pytest.mark.parametrize("key", sorted(TIMM), ids=lambda k: "-".join(map(str, k)))
def test_agrees_with_fvcore_on_timm(key):
    variant, width, resolution = key
    report = MobileNetV4Config(width, resolution=resolution, variant=variant).cost()
    matmul = sum(row.mult_adds for row in report if row.type == MATMUL)
    assert (report.mult_adds, matmul, timm_mult_adds(report), report.total_params) == TIMM[key]


def test_the_timm_counts_cover_what_the_issue_asks():
    # every variant, >= 4 resolutions (one not a multiple of 32), >= 2 widths
    for variant in VARIANTS:
        keys = [k for k in TIMM if k[0] == variant]
        assert len({w for _, w, _ in keys}) >= 2
        resolutions = {r for _, _, r in keys}
        assert len(resolutions) >= 4 and any(r % 32 for r in resolutions)


@pytest.mark.parametrize("key", sorted(PUBLISHED_GMACS), ids=lambda k: "-".join(map(str, k)))
def test_timm_published_gmacs_and_params_from_our_rows(key):
    variant, alpha, resolution = key
    report = MobileNetV4Config(alpha, resolution=resolution, variant=variant).cost()
    assert round(timm_mult_adds(report) / 1e9, 2) == PUBLISHED_GMACS[key]
    assert round(report.total_params / 1e6, 2) == PUBLISHED_PARAMS[variant, alpha]


def test_anti_aliased_variants_as_timm_builds_them():
    # Conv-M's strided convolutions at stride 1, then a 2x2 average (floor: 97 -> 49 -> 24) or a
    # blur pool (ceil: 49 -> 25); same parameters as Conv-M.
    plain = MobileNetV4Config(variant="conv_medium", resolution=97).cost()
    avg = MobileNetV4Config(variant="conv_aa_medium", resolution=97).cost()
    blur = MobileNetV4Config(variant="conv_blur_medium", resolution=97).cost()
    assert plain.total_params == avg.total_params == blur.total_params
    assert (avg.layer("block1/expand").stride, avg.layer("block1/aa").output_size) == (1, 24)
    pool = blur.layer("block1/aa")
    assert (pool.type, pool.output_size, pool.params) == (CONV_DW, 25, 0)
    assert pool.mult_adds == 9 * pool.out_channels * 25 * 25
    assert plain.layer("block1/expand").output_size == 25


def test_default_resolutions_and_the_docstring_table():
    # The docstring's table: the calculator's costs at each variant's default resolution, which
    # are fvcore's counts of timm's models.
    for variant in VARIANTS:
        report = MobileNetV4Config(variant=variant).cost()
        resolution = DEFAULT_RESOLUTIONS[variant]
        assert report.config.resolution == resolution
        mult_adds, matmul, timm_count, params = TIMM[variant, 1.0, resolution]
        assert (report.mult_adds, report.total_params) == (mult_adds, params)
        line = (
            f"{variant:<16}  {resolution:>5}  {mult_adds / 1e6:>13.2f}  {matmul / 1e6:>15.2f}"
            f"  {params / 1e6:>10.2f}  {timm_count / 1e9:>12.2f}"
        )
        assert line in v4.__doc__


def test_paper_params_and_macs_are_not_the_released_architectures():
    # The paper's (transcribed) table against the released architectures at its resolutions:
    # Conv-S agrees, M and L are about 5 % smaller in parameters.
    paper = {
        "conv_small": (3.8, 0.2),
        "conv_medium": (9.2, 1.0),
        "hybrid_medium": (10.5, 1.2),
        "conv_large": (31.0, 5.9),
        "hybrid_large": (35.9, 7.2),
    }
    for variant, (params, gmacs) in paper.items():  # (the anti-aliased ones are timm's)
        report = MobileNetV4Config(variant=variant).cost()
        ours = (round(report.total_params / 1e6, 1), round(report.mult_adds / 1e9, 1))
        assert (ours == (params, gmacs)) == (variant == "conv_small"), (variant, ours)
        assert 0.94 < params / (report.total_params / 1e6) <= 1.01


def test_mobile_mqa_by_hand():
    # Hybrid-M at 256: block 8 is the first MQA (160 channels, 4 heads, key_dim 64, keys and values
    # down-sampled 16x16 -> 8x8): N = 256 tokens, M = 64.
    report = MobileNetV4Config(variant="hybrid_medium").cost()
    rows = {row.name: row for row in report if row.name.startswith("block8")}
    c, h, d, k, n, m = 160, 4, 64, 3, 16 * 16, 8 * 8
    assert rows["block8/attn/qk"].mult_adds == rows["block8/attn/av"].mult_adds == h * n * m * d
    assert rows["block8/attn/softmax"].mult_adds == 0
    assert rows["block8/attn/key"].input_size == 8
    params = sum(r.params + r.bias_params + r.bn_params for r in rows.values())
    assert params == 2 * c + c * h * d + 2 * c * d + h * d * c + 2 * (k * k * c + 2 * c) + c
    mult_adds = sum(r.mult_adds for r in rows.values())
    assert mult_adds == n * c * h * d + m * 2 * c * d + n * h * d * c + 2 * m * k * k * c + 2 * (
        h * n * m * d
    )
    types = [rows[f"block8/{p}"].type for p in ("norm", "attn/softmax", "layer_scale")]
    assert types == [BATCHNORM, SOFTMAX, LAYER_SCALE] and rows["block8"].type == ADD
    # The 256-channel stage's MQA has no down-sampling (M = N).
    names = {row.name for row in report}
    assert "block24/attn/key_down" not in names and "block24/attn/query" in names


def test_blocks_as_timm_builds_them():
    counts = {"conv_small": 17, "conv_medium": 23, "conv_large": 28, "hybrid_medium": 32}
    counts["hybrid_large"] = 37
    for variant, blocks in counts.items():
        spec = dict(mobilenet_v4_spec(variant=variant))
        assert sum(name.startswith("block") for name in spec) == blocks
        mqa = sum(type(layer).__name__ == "MobileMQA" for layer in spec.values())
        assert mqa == (8 if variant.startswith("hybrid") else 0)
    large = dict(mobilenet_v4_spec(variant="hybrid_large"))
    assert large["stem"].activation == GELU and large["head"].activation == GELU
    assert dict(mobilenet_v4_spec(variant="conv_large"))["stem"].out_channels == 24
    # UIB's four forms: ExtraDW, IB, ConvNeXt-like, FFN (conv_small's blocks 5, 6, 10; medium's 10)
    small = MobileNetV4Config().cost()
    parts = {}
    for row in small:
        block, _, part = row.name.partition("/")
        parts.setdefault(block, []).append(part)
    assert parts["block5"] == ["dw_start", "expand", "dw_mid", "project"]
    assert parts["block6"] == ["expand", "dw_mid", "project", ""]
    assert parts["block10"] == ["dw_start", "expand", "project", ""]
    medium = {row.name for row in MobileNetV4Config(variant="conv_medium").cost()}
    assert {"block10/expand", "block10/project"} <= medium and "block10/dw_start" not in medium
    # the start depthwise convolution carries the stride when there is no middle one: none in V4
    assert all(row.stride == 1 for row in small if row.name.endswith("dw_start"))


def test_channel_rules():
    for alpha, stem in ((0.5, 32), (0.75, 32), (1.0, 32), (1.25, 40)):
        spec = dict(mobilenet_v4_spec(alpha, variant="hybrid_medium"))
        assert spec["stem"].out_channels == stem  # fixed below 1.0
        assert spec["head"].out_channels == 1280  # never scaled
        assert spec["block32"].out_channels == v4.make_divisible(960 * alpha)
        mqa = spec["block8"]
        assert (mqa.heads, mqa.key_dim) == (4, 64)  # attention widths never scaled
    # an expansion is make_divisible(ratio x the rounded input): conv_small 0.35, block 5
    rows = {row.name: row for row in MobileNetV4Config(0.35, variant="conv_small").cost()}
    assert rows["block5/expand"].in_channels == 24 and rows["block5/expand"].out_channels == 72


def test_any_resolution_and_what_is_too_small():
    for resolution in (1, 7, 33, 97, 500):
        report = MobileNetV4Config(resolution=resolution, variant="conv_large").cost()
        assert report.layer("block28").output_size == math.ceil(resolution / 32)
    assert MobileNetV4Config(resolution=17, variant="hybrid_large").cost().mult_adds > 0
    for variant in ("hybrid_medium", "hybrid_large"):
        with pytest.raises(InputTooSmall, match="down-sampling by 2"):
            MobileNetV4Config(resolution=16, variant=variant).cost()


def test_configuration_checks_its_values():
    assert MobileNetV4Config(0.75, variant="hybrid_large").to_dict() == {
        "network": "mobilenet_v4",
        "alpha": 0.75,
        "resolution": 384,
        "num_classes": 1000,
        "variant": "hybrid_large",
    }
    for bad in ({"variant": "large"}, {"alpha": 0}, {"alpha": -1}, {"resolution": 0}):
        with pytest.raises(InvalidArgument):
            MobileNetV4Config(**bad)
    assert MobileNetV4Config(variant="conv_large").replace(alpha=0.5).resolution == 384


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--variant", "large"], "--variant must be one of conv_small"),
        (["--variant", "separable"], "--variant must be one of conv_small"),
        (["--alpha", "0"], "--alpha must be a number in (0, 10]"),
        (["--alpha", "nan"], "--alpha must be a number in (0, 10]"),
        (["--alpha", "11"], "--alpha must be a number in (0, 10]"),
        (["--variant", "hybrid_medium", "--res", "8"], "--res 8 is too small for mobilenet_v4"),
        (["--variant", "hybrid_large", "--res", "4"], "down-sampling by 2"),
        (["--variant", "conv_aa_large", "--res", "30"], "too small for a 2x2 window"),
    ],
)
def test_bad_input_one_line_exit_2(capsys, argv, words):
    status, out, err = run(capsys, "table", "--network", "mobilenet_v4", *argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err


def test_table_json_and_network_cost(capsys):
    import json

    import mnetcalc

    status, out, _ = run(
        capsys, "table", "--network", "mobilenet_v4", "--variant", "hybrid_medium", "--format",
        "json",
    )  # fmt: skip
    assert status == 0
    data = json.loads(out)
    assert (
        data["resolution"] == 256
        and data["total"]["mult_adds"] == TIMM["hybrid_medium", 1.0, 256][0]
    )
    report = mnetcalc.network_cost("mobilenet_v4", variant="conv_medium", resolution=224)
    assert report.mult_adds == TIMM["conv_medium", 1.0, 224][0]


def test_sweep_takes_it(capsys):
    import json

    status, out, err = run(
        capsys, "sweep", "--network", "mobilenet_v4", "--variant", "hybrid_medium", "--alpha",
        "1,0.75", "--res", "256,97", "--format", "json",
    )  # fmt: skip
    assert status == 0, err
    records = {(r["alpha"], r["resolution"]): r for r in json.loads(out)}
    for (alpha, resolution), record in records.items():
        assert record["network"] == "mobilenet_v4" and record["variant"] == "hybrid_medium"
        assert record["mult_adds"] == TIMM["hybrid_medium", alpha, resolution][0]
    status, out, err = run(capsys, "sweep", "--network", "mobilenet_v2", "--variant", "large")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "--variant" in err


# -- the catalog ----------------------------------------------------------------------------------


def test_catalog_has_every_imagenet_1k_row_of_the_five_architectures():
    # the 19 tags with an ImageNet-1k accuracy, at each resolution timm evaluated them: 37 rows
    v4_rows = [c for c in published_checkpoints() if c.family == "v4"]
    assert len(v4_rows) == 37 and len({c.name for c in v4_rows}) == 37
    assert len({c.name.partition("@")[0] for c in v4_rows}) == 19
    assert all(c.trainer == "timm" and "results-imagenet.csv" in c.source for c in v4_rows)
    assert {c.name for c in v4_rows if c.extra_data} == {
        "mobilenetv4_conv_medium.e250_r384_in12k_ft_in1k@384",
        "mobilenetv4_hybrid_medium.e200_r256_in12k_ft_in1k@256",
        "mobilenetv4_hybrid_medium.e200_r256_in12k_ft_in1k@320",
        "mobilenetv4_conv_aa_large.e230_r448_in12k_ft_in1k@448",
        "mobilenetv4_conv_aa_large.e230_r448_in12k_ft_in1k@544",
        "mobilenetv4_conv_aa_large.e230_r384_in12k_ft_in1k@384",
        "mobilenetv4_conv_aa_large.e230_r384_in12k_ft_in1k@480",
    }
    assert not any(c.name.endswith("_in12k") or "in12k@" in c.name for c in v4_rows)
    for c in v4_rows:
        report = c.config().cost()
        assert round(timm_mult_adds(report) / 1e9, 2) * 1000 == c.mult_adds_m
        assert round(report.total_params / 1e6, 2) == c.params_m
        assert c.name.endswith(f"@{report.config.resolution}")
    best = max(v4_rows, key=lambda c: c.top1)
    assert best.name == "mobilenetv4_conv_aa_large.e230_r448_in12k_ft_in1k@544"
    best = max((c for c in v4_rows if not c.extra_data), key=lambda c: c.top1)
    assert best.name == "mobilenetv4_hybrid_large.ix_e600_r384_in1k@448" and best.top1 == 84.352


def test_older_checkpoints_keep_their_trainer():
    older = [c for c in published_checkpoints() if c.family != "v4"]
    assert older and all(c.trainer == "TF-slim" and not c.extra_data for c in older)


def test_choose_ranks_mobilenet_v4(capsys):
    status, out, err = run(capsys, "choose", "--family", "v4", "--mult-adds-m", "400")
    assert status == 0, err
    assert "mobilenetv4_conv_small.e3600_r256_in1k@320" in out


# -- the latency model ----------------------------------------------------------------------------


def test_latency_model_knows_the_new_rows():
    from mnetcalc.latency_model import row_kind, shipped_calibration

    report = MobileNetV4Config(variant="hybrid_medium").cost()
    kinds = {row.type: row_kind(row) for row in report}
    assert kinds[MATMUL] == "fc" and kinds[SOFTMAX] == kinds[LAYER_SCALE] == "add"
    assert kinds[BATCHNORM] == "add"
    assert shipped_calibration().predict(report).total_ms > 0


# -- the PyTorch model ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "alpha", "resolution"),
    [
        ("conv_small", 0.75, 63),
        ("conv_medium", 1.0, 64),
        ("conv_large", 0.5, 33),
        ("hybrid_medium", 1.0, 65),
        ("hybrid_large", 0.5, 64),
        ("conv_aa_medium", 0.75, 65),
        ("conv_blur_medium", 0.5, 97),
        ("conv_aa_large", 0.5, 33),
    ],
)
def test_fvcore_agrees_on_the_model(variant, alpha, resolution):
    pytest.importorskip("fvcore")
    from mnetcalc.runtime.counting import check_counts

    config = MobileNetV4Config(alpha, resolution=resolution, variant=variant)
    check = check_counts(config.cost())
    assert check.agrees, (check.disagreements(), check.unsupported_ops)
    assert check.fvcore_total_params == TIMM_PARAMS[variant, alpha]


#: timm's sum(p.numel()) at these widths (from TIMM, which holds every width at every variant).
TIMM_PARAMS = {(v, w): p for (v, w, _), (*_, p) in TIMM.items()}


def randomized(model, torch):
    """``model`` with random weights and BatchNorm statistics (layer scale 1), so that every
    block's output matters in a comparison."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * (0.2 if p.dim() > 1 else 0.1))
            if name.endswith("gamma"):
                p.fill_(1.0)
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.copy_(torch.randn(module.num_features, generator=generator))
                module.running_var.copy_(torch.rand(module.num_features, generator=generator) + 1)
    return model.eval()


@pytest.mark.parametrize(
    ("variant", "resolution"), [("hybrid_medium", 64), ("conv_small", 63), ("conv_blur_medium", 65)]
)
def test_optimized_model_equals_eager(variant, resolution):
    torch = pytest.importorskip("torch")
    from mnetcalc.runtime.model import optimize, torch_threads

    config = MobileNetV4Config(variant=variant, resolution=resolution, num_classes=10)
    model = randomized(config.model(), torch)
    x = torch.randn(2, 3, resolution, resolution, generator=torch.Generator().manual_seed(1))
    with torch_threads(1), torch.no_grad():
        eager = model(x)
        fast = optimize(model, resolution, threads=1)(x)
    assert eager.shape == (2, 10) and eager.abs().max() > 1e-3
    assert torch.allclose(fast, eager, rtol=1e-4, atol=1e-4 * eager.abs().max().item())


def test_model_names_follow_the_rows():
    torch = pytest.importorskip("torch")
    model = MobileNetV4Config(variant="hybrid_large", resolution=64, num_classes=10).model()
    attn = model.get_submodule("block11.attn")
    children = [name for name, _ in attn.named_children()]
    assert children == ["query", "key_down", "key", "value_down", "value", "qk", "softmax", "av",
                        "output"]  # fmt: skip
    assert isinstance(model.get_submodule("stem").act, torch.nn.GELU)
    assert model.get_submodule("block11.layer_scale").gamma.shape == (192,)
    assert model.eval()(torch.zeros(1, 3, 64, 64)).shape == (1, 10)
    assert isinstance(model.get_submodule("block11.norm"), torch.nn.BatchNorm2d)


def test_bench_runs_it(capsys):
    pytest.importorskip("torch")
    status, out, err = run(
        capsys, "bench", "--network", "mobilenet_v4", "--variant", "hybrid_medium", "--res", "64",
        "--optimize", "--threads", "1", "--rounds", "1", "--seconds", "0.05", "--format", "json",
    )  # fmt: skip
    assert status == 0, err
    assert "mobilenet_v4" in out


# -- laws for every width and resolution ----------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(
    variant=st.sampled_from(VARIANTS),
    alpha=st.floats(0.1, 3.0),
    resolution=st.integers(33, 400),
)
def test_laws(variant, alpha, resolution):
    report = MobileNetV4Config(alpha, resolution=resolution, variant=variant).cost()
    # parameters do not depend on the resolution; timm's count only adds to ours
    assert report.total_params == MobileNetV4Config(alpha, variant=variant).cost().total_params
    assert timm_mult_adds(report) > report.mult_adds
    # the two attention products cost the same, and the attention's widths do not scale
    products = [row.mult_adds for row in report if row.type == MATMUL]
    assert products[::2] == products[1::2]
    same_attention = MobileNetV4Config(1.0, resolution=resolution, variant=variant).cost()
    assert products == [row.mult_adds for row in same_attention if row.type == MATMUL]
    # every convolution's width is a multiple of 8, and the head keeps its 1280
    assert all(row.out_channels % 8 == 0 for row in report if row.type.startswith("conv"))
    assert report.layer("head").out_channels == 1280
