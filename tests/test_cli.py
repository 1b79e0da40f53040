"""The command line: output formats, the golden table, and one-line errors for bad input."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mnetcalc
from mnetcalc.cli import main
from mnetcalc.core.layers import ROW_KEYS

GOLDEN = Path(__file__).parent / "golden"


def run(*args):
    """Run the CLI as a user would, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "mnetcalc", *args], capture_output=True, text=True)


def test_golden_table_alpha_025_res_128():
    # Reviewed by hand against the formulas: conv0 3·3·3·8·64² = 884,736; fc 256·1000 = 256,000;
    # total 13,570,048 mult-adds and 463,600 weights.
    result = run("table", "--alpha", "0.25", "--res", "128")
    assert result.returncode == 0
    assert result.stdout == (GOLDEN / "table_alpha0.25_res128.txt").read_text()
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_table_json_has_exactly_the_documented_keys(capsys):
    assert main(["table", "--alpha", "0.5", "--res", "160", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [
        "network",
        "alpha",
        "resolution",
        "variant",
        "num_classes",
        "in_channels",
        "options",
        "peak_bytes",
        "peak_layer",
        "layers",
        "total",
    ]
    assert (
        data["network"],
        data["alpha"],
        data["resolution"],
        data["num_classes"],
        data["variant"],
        data["options"],
    ) == ("mobilenet_v1", 0.5, 160, 1000, "separable", {"stem_stride": 2})
    assert all(list(layer) == [*ROW_KEYS, "activation_bytes"] for layer in data["layers"])
    assert list(data["total"]) == [
        "mult_adds",
        "params",
        "bias_params",
        "bn_params",
        "total_params",
    ]
    counts = [v for layer in data["layers"] for k, v in layer.items() if k not in ("name", "type")]
    assert all(type(v) is int for v in counts + list(data["total"].values()))
    # Paper Table 9: 0.50 MobileNet-160 has 1.32 M parameters.
    assert round(data["total"]["params"] / 1e6, 2) == 1.32


def test_table_csv_and_markdown(capsys):
    main(["table", "--variant", "shallow", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (
        sum(int(r["mult_adds"]) for r in rows)
        == mnetcalc.mobilenet_v1_cost(variant="shallow").mult_adds
    )
    # The shallow variant drops the five 14x14x512 blocks: 28 - 10 layers with weights, plus the
    # pool.
    assert len(rows) == 19
    main(["table", "--classes", "10", "--format", "markdown"])
    out = capsys.readouterr().out
    assert "| fc | FC / s1 | 1024×10 |" in out


def test_layer_json_is_table_3_after_the_multipliers(capsys):
    main(
        [
            "layer",
            "--dk",
            "3",
            "--m",
            "512",
            "--n",
            "512",
            "--df",
            "14",
            "--alpha",
            "0.75",
            "--rho",
            "0.714",
            "--format",
            "json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["alpha", "rho", "steps", "layer", "final"]
    assert [step["step"] for step in data["steps"]] == [
        "Convolution",
        "Depthwise Separable Conv",
        "alpha = 0.75",
        "rho = 0.714",
    ]
    assert (data["layer"]["m"], data["layer"]["df"]) == (512, 14)
    assert (
        data["steps"][0]["mult_adds"] == data["layer"]["standard"]["mult_adds"] == 9 * 512**2 * 196
    )
    final = data["final"]
    assert (final["m"], final["n"], final["df"]) == (384, 384, 10)
    # Table 3's last row: 15.1 M mult-adds, 0.15 M parameters (M = N = 384, Df = round(0.714·14) =
    # 10).
    assert round(final["separable"]["mult_adds"] / 1e6, 1) == 15.1
    assert final["separable"]["mult_adds"] == data["steps"][-1]["mult_adds"]
    assert final["separable"]["mult_adds"] == 9 * 384 * 100 + 384 * 384 * 100
    assert final["standard"]["mult_adds"] == 9 * 384 * 384 * 100
    assert final["ratio"] == pytest.approx(1 / 384 + 1 / 9, rel=1e-12)
    assert final["formula_ratio"] == pytest.approx(1 / 384 + 1 / 9, rel=1e-12)


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
def test_layer_every_format_holds_the_same_steps(fmt, capsys):
    # finding 12 of the newcomer review: the text's rows, its header and the JSON described three
    # different layers
    main(["layer", "--alpha", "0.75", "--rho", "0.714", "--format", fmt])
    out = capsys.readouterr().out
    for label, mult_adds in [
        ("Convolution", ("462.422", "462422016")),
        ("Depthwise Separable Conv", ("52.283", "52283392")),
        ("alpha = 0.75", ("29.579", "29578752")),
        ("rho = 0.714", ("15.091", "15091200")),
    ]:
        assert label in out and any(number in out for number in mult_adds)
    if fmt in ("text", "markdown"):
        assert "The layer: Dk=3, M=512, N=512, Df=14" in out
        assert "After alpha 0.75, rho 0.714: Dk=3, M=384, N=384, Df=10" in out
        assert "1/512 + 1/9 = 0.1131" in out and "1/384 + 1/9 = 0.1137" in out


def test_layer_text_shows_table_3(capsys):
    main(["layer", "--alpha", "0.75", "--rho", "0.714"])
    out = capsys.readouterr().out
    for label, mult_adds in [
        ("Convolution", "462.422"),
        ("Depthwise Separable Conv", "52.283"),
        ("alpha = 0.75", "29.579"),
        ("rho = 0.714", "15.091"),
    ]:
        assert any(line.startswith(label) and mult_adds in line for line in out.splitlines())


def test_sweep_covers_the_grid(capsys):
    main(["sweep", "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 16
    by_config = {(r["alpha"], r["resolution"]): r for r in records}
    # Paper Table 6 (resolution 224) and Table 7 (alpha 1) at their printed precision.
    for alpha, ma in [(1.0, 569), (0.75, 325), (0.5, 149), (0.25, 41)]:
        assert round(by_config[(alpha, 224)]["mult_adds"] / 1e6) == ma
    for res, ma in [(192, 418), (128, 186)]:
        assert round(by_config[(1.0, res)]["mult_adds"] / 1e6) == ma
    main(["sweep", "--alpha", "0.75", "--res", "224"])
    assert "0.75 MobileNet-224" in capsys.readouterr().out


BAD_INPUTS = [
    (["table", "--alpha", "0"], "0"),
    (["table", "--alpha", "-1"], "-1"),
    (["table", "--alpha", "nan"], "nan"),
    (["table", "--alpha", "inf"], "inf"),
    (["table", "--alpha", "wide"], "wide"),
    (["table", "--res", "0"], "0"),
    (["table", "--res", "12.5"], "12.5"),
    (["table", "--res", "big"], "big"),
    (["table", "--classes", "-1"], "-1"),
    (["table", "--network", "vgg16", "--classes", "0"], "vgg16"),
    (["table", "--classes", "2.5"], "2.5"),
    (["table", "--variant", "deep"], "deep"),
    (["table", "--format", "xml"], "xml"),
    (["sweep", "--alpha", "1,zero"], "zero"),
    (["sweep", "--res", "224,-3"], "-3"),
    (["layer", "--m", "0"], "0"),
    (["layer", "--rho", "nan"], "nan"),
    (["table", "--frobnicate"], "--frobnicate"),
    (["explode"], "explode"),
    # beyond any network one can mean: refused with the range, not an overflow or a huge number
    (["table", "--alpha", "1e300"], "1e300"),
    (["table", "--alpha", "1e10"], "1e10"),
    (["layer", "--rho", "1e300"], "1e300"),
    (["table", "--res", "9" * 200], "(200 characters)"),
    (["table", "--format", "json", "--res", "1" * 5000], "(5000 characters)"),
    (["table", "--classes", "1e7"], "1e7"),
    (["layer", "--dk", "100"], "100"),
    # a value that starts with a minus sign is still a value, named in the error
    (["table", "--alpha", "-inf"], "-inf"),
    (["sweep", "--alpha", "-1,1"], "-1"),
    (["mnetcalc", "-x"][1:], "-x"),
    (["table", "--network", "vgg16", "--alpha", "1"], "--alpha"),
    (["table", "--network", "vgg16", "--alpha", "1.0"], "--alpha"),
    (["table", "--network", "alexnet", "--variant", "separable"], "--variant"),
]


@pytest.mark.parametrize("args, bad", BAD_INPUTS)
def test_bad_input_is_one_line_naming_the_value(args, bad, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and bad in lines[0] and lines[0].startswith("mnetcalc: error:")


@pytest.mark.parametrize("args, bad", BAD_INPUTS[::4])
def test_bad_input_from_the_shell_exits_2_without_traceback(args, bad):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["table", "--alpha", "0.25", "--res", "128"],
        ["table", "--network", "googlenet", "--format", "json"],
        ["layer", "--alpha", "0.75", "--rho", "0.714"],
        ["sweep", "--format", "csv"],
    ],
)
def test_cli_imports_neither_torch_nor_numpy_nor_matplotlib(argv):
    code = (
        f"import sys; from mnetcalc.cli import main; main({argv!r});"
        "heavy = [m for m in ('torch', 'numpy', 'matplotlib') if m in sys.modules];"
        "sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_help_is_wrapped_to_the_terminal_width_without_shutil(monkeypatch):
    from mnetcalc.cli import build_parser, terminal_width

    monkeypatch.setenv("COLUMNS", "100")
    assert terminal_width() == 100
    monkeypatch.setenv("COLUMNS", "50")
    assert max(len(line) for line in build_parser("table").format_help().splitlines()) <= 50 - 2
    monkeypatch.setenv("COLUMNS", "not a number")
    assert terminal_width() > 0  # the terminal's width, or 80 without one


@pytest.mark.parametrize(
    "args, what",
    [
        (["table", "--classes", "1e3"], "1000 classes"),
        (["sweep", "--classes", "10.0", "--alpha", "1", "--res", "224"], "1.0 MobileNet-224"),
        (
            ["table", "--network", "vgg16", "--classes", "1e3"],
            "VGG-16, resolution 224, 1000 classes",
        ),
        (["table", "--alpha", "10", "--res", "10000", "--format", "json"], '"resolution": 10000'),
    ],
)
def test_a_number_is_parsed_once_in_any_accepted_spelling(args, what, capsys):
    assert main(args) == 0
    assert what in capsys.readouterr().out


def test_sweep_has_a_cap_it_states(capsys):
    many = ",".join(str(r) for r in range(32, 32 + 400))
    assert main(["sweep", "--res", many, "--alpha", "1,0.75,0.5"]) == 2
    err = capsys.readouterr().err
    assert "1200 models" in err and "at most 1000" in err
    assert main(["sweep", "--help"]) == 0
    assert "At most 1000 models" in capsys.readouterr().out


def test_help_states_the_ranges(capsys):
    assert main(["table", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    # --classes: 0 is the body alone
    assert "(0, 10]" in out and "1 to 10000" in out and "0 to 1000000" in out


def test_version_at_top_level(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"mnetcalc {mnetcalc.__version__}"


@pytest.mark.parametrize("argv", [["bench", "--threads", "1"], ["table", "--check"], ["train"]])
def test_torch_commands_without_torch_say_what_to_install(argv):
    code = (
        "import sys; sys.modules['torch'] = None; from mnetcalc.cli import main; "
        f"sys.exit(main({argv!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert "needs torch" in result.stderr and "pip install" in result.stderr
