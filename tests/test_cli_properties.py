"""Whatever a user types, the command line ends with status 0 and output, or status 2 and one line
on stderr: never a traceback, never two lines of error (hypothesis over argument lists)."""

import contextlib
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnetcalc.cli import main

#: Texts a number option may receive: numbers of every size and shape, and things that are not.
number_texts = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(0, 10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789.-+eE_ ", max_size=8),
    st.sampled_from(["", " ", "1e3", "10.0", "nan", "-inf", "inf", "١٢٣", "٣", "1_000", "0x10"]),
    st.sampled_from(["1e400", "9" * 300, "0.5", "224", "1", "-1", "2.5", "1e-300", "²"]),
    st.text(max_size=6),
)


def number_lists(draw):
    return ",".join(draw(st.lists(number_texts, min_size=1, max_size=4)))


VALUES = {
    "--alpha": number_texts,
    "--res": number_texts,
    "--classes": number_texts,
    "--rho": number_texts,
    "--dk": number_texts,
    "--m": number_texts,
    "--n": number_texts,
    "--df": number_texts,
    "--format": st.sampled_from(["text", "markdown", "csv", "json", "xml", ""]),
    "--variant": st.sampled_from(["separable", "standard", "shallow", "deep"]),
    "--network": st.sampled_from(
        ["mobilenet_v1", "vgg16", "googlenet", "alexnet", "squeezenet", "x"]
    ),
}
OPTIONS = {
    "table": ["--alpha", "--res", "--classes", "--format", "--variant", "--network"],
    "layer": ["--dk", "--m", "--n", "--df", "--alpha", "--rho", "--format"],
    "sweep": ["--alpha", "--res", "--classes", "--format", "--variant"],
}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(OPTIONS)))
    argv = [command]
    for option in draw(st.lists(st.sampled_from(OPTIONS[command]), max_size=6)):
        if command == "sweep" and option in ("--alpha", "--res"):
            value = number_lists(draw)
        else:
            value = draw(VALUES[option])
        argv += [option, value]
    return argv + draw(st.lists(st.text(max_size=5), max_size=1))  # sometimes a stray word


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv=command_lines())
def test_every_command_line_ends_in_output_or_one_line_of_error(argv):
    status, out, err = run(argv)
    assert status in (0, 2)
    assert "Traceback" not in out + err
    if status == 0:
        assert out and not err
    else:
        assert not out
        assert err.endswith("\n") and err.count("\n") == 1 and err.startswith("mnetcalc: error: ")
