"""The book's rule "numbers in prose come from code (glue), never retyped", as a test.

A number a chapter computes reaches its prose through a ``{glue:text}`` role; a number typed by hand
goes stale the day the code changes. Two layers:

* The unit layer (no build, no torch) reads each chapter's prose (the Markdown without its front
  matter, code, math, inline code, roles, link targets, directive options and comments) and finds
  its number tokens. A token that is not a result passes: a small count (a whole number below 100),
  a reference ("Table 4", "section 4.4"), a year, a configuration's label ("0.75 MobileNet-160", "α
  = 0.5", "224×224", "0.25/128"), a size in a network's definition ("1024 channels", "1000
  classes") or a number printed in the paper, as :mod:`mnetcalc.paper` and
  :mod:`mnetcalc.networks.mobilenet_v2` hold it. Any other number with a decimal point or three or
  more digits must be covered by an entry of :data:`ALLOWED`: a phrase of that chapter and the
  reason it may type its number.
* The site layer (``-m site``, after the build) reads each executed chapter's glued values
  (``_build/jupyter_execute/book/<chapter>.glue.json``) and fails when the prose types, as written,
  a value that the chapter glues, formatted as the chapter's glue roles format it: a number
  computed at build time and also typed by hand. Only :data:`ALLOWED` excuses that.

An entry of :data:`ALLOWED` that excuses nothing fails too, so that the list stays short.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from mnetcalc import paper
from mnetcalc.networks import mobilenet_v2

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(path.stem for path in BOOK.glob("*.md"))
GLUE = ROOT / "_build" / "jupyter_execute" / "book"

# The numbers each chapter may type although they look like results: {chapter: {phrase: reason}}.
# A phrase (whitespace-insensitive) excuses the numbers inside it, wherever it occurs in the
# chapter's prose.
ALLOWED: dict[str, dict[str, str]] = {
    "ablations": {
        "1.28 million images": "a fact about ImageNet",
        "of the 10,000 test images": "a fact about Fashion-MNIST: its test set",
        "60,000 images": "a fact about Fashion-MNIST: its training set",
        "100 * run.test_accuracy": "a fraction as a percentage (a unit)",
        "the 97.5th percentile": "the definition of the quantile a two-sided 95 % interval uses",
        "against 2.48 standard deviations": "t(0.975, 2) / sqrt(3), a constant of the t "
        "distribution for three seeds (not a result)",
    },
    "accuracy_vs_cost": {
        "afford 200 million": "exercise ex-acc-budget's budget (an input)",
    },
    "applications": {
        '0.58 Million mult-adds"': "the paper's text, quoted (the count glued as a_pl_ma happens "
        "to round to it)",
    },
    "architecture_cost": {
        "1.91%": "Table 2's printed 1.19% with its digits swapped (a hypothesis, not a count)",
        "100% up to rounding": "a whole: what shares add up to",
        "between 64 and 1024": "the narrowest and widest pointwise layers (the architecture)",
        "of the 224 levels are the 160 levels": "the two resolutions compared (inputs)",
    },
    "conventions": {
        "+100% everywhere": "the FLOPs convention doubles every count (its definition)",
        "Why not at 200?": "exercise 2's resolution (an input)",
        "At 200 the": "exercise 2's resolution (an input)",
    },
    "errata": {
        "1.91%": "Table 2's printed 1.19% with its digits swapped (a hypothesis, not a count)",
        'own "1.72 GFLOPS"': "quoted from the SqueezeNet repository's notes",
    },
    "errata_applications": {
        "185 and 5.5": "Table 14's printed row, quoted (Table 12's body count cut off, glued as "
        "e_t12_128_cut, is also 185)",
    },
    "deployment": {
        "reads 1.00": "the normalisation: the fastest engine's time over itself",
        "a share above 100%": "a whole: what a share of a time cannot exceed",
    },
    "detection": {
        "from 300 to 600": "the detectors' two input sides (configurations)",
        "with 100 proposals": "an exercise's number of proposals (an input)",
    },
    "depthwise_separable": {
        "from 64 to 1024": "the narrowest and widest blocks (the architecture)",
    },
    "mobilenet_v2": {
        "585 million and 6.9 million for the 1.4 model": "the paper's headline numbers, quoted "
        "(the 6.9 that the chapter glues is another number, the depthwise layers' share)",
        "costs them with 1001": "TF-slim's class count (ImageNet's and a background class)",
    },
    "evaluation": {
        "in batches of 500": "exercise 3's batch size (an input)",
    },
    "giants": {
        "138,357,544 parameters for VGG16, 60,965,224 for the Caffe AlexNet, 6,998,552 for the "
        "Caffe GoogLeNet and 1,248,424": "published totals of the reference models, which "
        "tests/networks/ asserts independently of the book's counts",
        '"15.3 billion"': "the figure other papers quote for VGG16 (a quotation)",
        '"1.72 GFLOPS/image"': "quoted from the SqueezeNet repository's notes",
        "from 112 to 56 to 28": "GoogLeNet's map sides (its definition)",
        "then 256 of": "AlexNet's filter counts (its definition)",
        "then 384, 384 and 256 of": "AlexNet's filter counts (its definition)",
        "with 224, equation": "the usual input side (a configuration)",
    },
    "intro": {
        "32, 64 and 1024": "exercise 1's channel counts (inputs)",
        "from 64 to 1024": "exercise 1's channel counts (inputs)",
        "at input resolution 112": "exercise 2's resolution (an input)",
        "ρ = 0.714": "the --rho input of the command below it (160/224 to three digits)",
    },
    "latency": {
        "with replacement 2,000": "exercise 5's number of resamples (an input)",
        "2.5th and 97.5th percentiles": "the ends of a 95% interval (its definition)",
    },
    "quantization": {
        "of the 60,000": "Fashion-MNIST's training set (a fact about the data set)",
        "all 10,000": "Fashion-MNIST's test set (a fact about the data set)",
        "1,000 training images": "the calibration set's size (an input of "
        "mnetcalc.runtime.precision)",
        "the 1,000 calibration images": "the calibration set's size (an input)",
        "127": "int8's positive levels (a fact about the type)",
        "99.9th percentile": "exercise 6's clipping point (an input)",
    },
    "roofline": {
        "near or below 2.25": "the bound 2 D_K^2 / 8 derived in the same sentence",
        "a 256 MiB tensor": "the size roofline.py's bandwidth measurement copies (an input)",
        "the library's 256 MiB": "the same size (an input of roofline.py)",
        "(4.6 pJ)": "Horowitz's figure for a float32 multiply and add (a quotation)",
        "4.6 pJ for a float32 multiply and add": "Horowitz's figure (a quotation)",
        "about 640 pJ per 32-bit word": "Horowitz's DRAM figure per 32-bit word (a quotation)",
        "a share above 100%": "a whole: what a share of a roof cannot exceed",
        "one 1024×1024 matrix multiply": "the size roofline.py's peak measurement multiplies (an "
        "input)",
    },
    "training": {
        "1.28 million images": "a fact about ImageNet",
        "(70,000:": "a fact about Fashion-MNIST",
        "on all 60,000 training images": "a fact about Fashion-MNIST: its training set",
        "not 3.5": "7/2, the side a 7-pixel map would halve to (arithmetic on the architecture)",
        "60,000 for training, 10,000 for testing": "a fact about Fashion-MNIST",
        "10,000 test images": "a fact about Fashion-MNIST: its test set",
    },
}

# -- the prose of a chapter ----------------------------------------------------------------------

FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*(\{[\w:.-]+\}|[\w+-]*)(.*)$")
# Directives whose body is prose (a caption, an admonition, a dropdown's solution, a glossary);
# every other fenced block (code cells, code, math, raw HTML, the bibliography) is skipped whole.
PROSE_DIRECTIVES = {
    "{admonition}",
    "{container}",
    "{dropdown}",
    "{exercise}",  # sphinx-exercise: an exercise and its solution are prose
    "{figure}",
    "{glossary}",
    "{glue:figure}",
    "{note}",
    "{solution}",
    "{tip}",
    "{warning}",
}
# Directives whose argument (the rest of the opening line) is a title in prose.
TITLED = {"{admonition}", "{dropdown}"}
OPTION = re.compile(r"^\s*:[\w-]+:")
# Inline things that are not prose, blanked out (newlines kept, so line numbers stay).
INLINE = [
    re.compile(r"<!--.*?-->", re.DOTALL),  # HTML comments
    re.compile(r"\$\$.*?\$\$(?:\s*\([\w-]+\))?", re.DOTALL),  # display math and its label
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # roles: {glue:text}, {cite:p}, {numref}, {doc}, {term}, ...
    re.compile(r"``.*?``|`[^`\n]*`", re.DOTALL),  # inline code
    re.compile(r"(?<!\\)\$(?!\s)[^$]*?(?<![\s\\])\$(?!\d)", re.DOTALL),  # inline math
    re.compile(r"\]\([^)\s]*\)"),  # link targets
    re.compile(r"<https?://[^>]*>|https?://\S+"),  # autolinks and bare addresses
    re.compile(r"^\([\w-]+\)=\s*$", re.MULTILINE),  # label targets
]


def blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def prose(text: str) -> str:
    """The chapter with everything that is not prose replaced by spaces (same lines, same
    columns)."""
    lines = text.split("\n")
    keep = [False] * len(lines)
    start = lines.index("---", 1) + 1 if lines[0].strip() == "---" else 0  # the front matter
    stack: list[tuple[str, bool]] = []  # open fences: (fence, is its body prose?)
    in_options = False
    for number in range(start, len(lines)):
        line = lines[number]
        match = FENCE.match(line)
        if match and stack and match.group(1)[0] == stack[-1][0][0]:
            fence, name, rest = match.groups()
            if len(fence) >= len(stack[-1][0]) and not name and not rest.strip():
                stack.pop()  # a closing fence
                in_options = False
                continue
        if stack and not stack[-1][1]:
            continue  # inside code, math or raw output
        if match:
            fence, name, argument = match.groups()
            stack.append((fence, name in PROSE_DIRECTIVES))
            in_options = name in PROSE_DIRECTIVES
            if name in TITLED:
                lines[number] = " " * (len(line) - len(argument)) + argument
                keep[number] = True
            continue
        if in_options and OPTION.match(line):
            continue
        in_options = False
        keep[number] = line.strip() != "+++"  # a cell break
    text = "\n".join(line if kept else " " * len(line) for line, kept in zip(lines, keep))
    for pattern in INLINE:
        text = pattern.sub(blank, text)
    return text


@cache
def chapter_prose(chapter: str) -> str:
    return prose((BOOK / f"{chapter}.md").read_text(encoding="utf-8"))


# -- the number tokens of the prose --------------------------------------------------------------

# 60,000 or 60 000 (narrow spaces) or 4866 or 4.2; not part of a word (V2, fp32, int8) nor of a
# longer number.
_NUMBER = r"\d{1,3}(?:[,\u2009\u202f]\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?(?!\d)"
NUMBER = re.compile(rf"(?<![\w.,])(?:{_NUMBER})")
SEPARATORS = re.compile(r"[,\u2009\u202f]")
# A list or range of numbers: "1.0, 0.75, 0.5 and 0.25", "0.25/128", "from 96 to 288", "192 or 160".
JOIN = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+|\s*[/–×]\s*)"
RUN = re.compile(rf"(?<![\w.])(?:{_NUMBER})(?:{JOIN}(?:{_NUMBER}))*")


@dataclass(frozen=True)
class Token:
    chapter: str
    line: int  # 1-based, in the chapter's source
    text: str  # as written
    start: int  # offset in the chapter's prose

    def where(self) -> str:
        return f"book/{self.chapter}.md:{self.line}"


def tokens(chapter: str) -> list[Token]:
    text = chapter_prose(chapter)
    return [
        Token(chapter, text.count("\n", 0, match.start()) + 1, match.group(0), match.start())
        for match in NUMBER.finditer(text)
    ]


def significant(text: str) -> bool:
    """A number worth checking: one with a decimal point, or three or more digits."""
    digits = SEPARATORS.sub("", text)
    return "." in digits or len(digits.lstrip("0")) >= 3


# -- numbers that are not results ----------------------------------------------------------------

# A reference to a part of the paper or the book: "Table 4", "Tables 10–14", "section 4.4", "§3.2",
# "Figure 2", "Eq. (3)", "chapter 2", "version 1.1", and the list after the word.
# (The parts are numbered below 100: "Tables 6 and 7, 1000 classes" ends the list at 7.)
_PART = r"\(?\d{1,2}(?:\.\d+)*\)?(?!\d)"
REFERENCE = re.compile(
    r"(?:\b(?:Tables?|Figs?\.|Figures?|[Ss]ections?|Eqs?\.|[Ee]quations?|[Cc]hapters?"
    rf"|[Aa]ppendix|[Vv]ersions?)|§)\s*{_PART}(?:\s*(?:,|and|to|or|–|-|—)\s*{_PART})*"
)
YEAR = re.compile(r"19[5-9]\d|20[0-3]\d")
# A number joined to a name by a hyphen: AVX-512, MobileNet-224, MobileNetV2-224, ResNet-50.
IN_A_NAME = re.compile(r"[A-Za-z][\w]*-\*?$")


def configurations() -> tuple[set[str], set[str]]:
    """The width multipliers and resolutions of the configurations in the paper's tables, as prose
    writes them ("0.75", "0.50", "1.0", "1", "224")."""
    configs = [row.config for row in paper.ROWS + paper.APPLIED_ROWS if row.config]
    configs += [{"alpha": a, "resolution": r} for a, r in mobilenet_v2.SLIM_V2_TABLE]
    alphas = {config.get("alpha", 1.0) for config in configs}
    written = {f"{alpha:{spec}}" for alpha in alphas for spec in ("g", ".1f", ".2f")}
    return written, {str(config.get("resolution", 224)) for config in configs}


ALPHAS, RESOLUTIONS = configurations()
# What makes a run of such values a configuration's label: the multiplier's symbol or name, the
# word "resolution", "at" or the network's name before it; the network's name, "×" (224×224),
# "pixels", "rows", "model", "count" or "at <resolution>" after it.
CONFIGURATION_BEFORE = re.compile(
    r"(?:α|ρ|alpha|[Ww]idths?|multipliers?|[Rr]esolutions?|\b[Aa]t|∈ \{|MobileNet|CNN|×)"
    r"[^.;:!?]{0,25}$"
)
CONFIGURATION_AFTER = re.compile(
    r"^(?:\s*[×}]|\s*(?:pixels|px|images?|rows?|models?|networks?|count|cost)\b|-pixel"
    r"|\s*(?:MobileNet|V2|v1)|\s*at\s+\d)"
)


def architecture_sizes() -> set[str]:
    """Every channel count, feature-map side and class count of the networks the book costs (1.0
    MobileNet-224, 1.0 MobileNetV2-224, the networks of Tables 8 and 9) and the head sizes the paper
    states: numbers of the networks' definitions, not results."""
    from mnetcalc import mobilenet_v1_cost, mobilenet_v2_cost
    from mnetcalc.networks import registry

    reports = [mobilenet_v1_cost(), mobilenet_v2_cost()]
    reports += [registry.network_cost(name) for name in registry.NETWORKS]
    sizes = {mobilenet_v2.SLIM_CLASSES}
    sizes |= {row.num_classes for row in paper.APPLIED_ROWS if row.num_classes}
    for report in reports:
        for layer in report.layers:
            sizes |= {layer.in_channels, layer.out_channels, layer.input_size, layer.output_size}
    return {str(size) for size in sizes}


SIZES = architecture_sizes()
# A size counts something a network has: "1024 channels", "1000 classes", "120 dog breeds", "4096
# units", "the pooled 1024-vector", "1024 biases".
SIZE_AFTER = re.compile(
    r"^[^.;:!?]{0,25}?\b(?:channels|classes|class|units|filters|features|weights|biases|breeds"
    r"|vector|outputs)\b"
)
SIZE_BEFORE = re.compile(r"(?:channels|classes|map|side)\s*[^.;:!?]{0,20}$")


def printed_in_the_paper() -> set[str]:
    """Every number printed in the paper's tables and comparisons (and the two MobileNetV2 sources),
    as :mod:`mnetcalc.paper` and :mod:`mnetcalc.networks.mobilenet_v2` hold it (printed text)."""
    printed = {text for pair in paper.TABLE_2.values() for text in pair}
    for row in paper.ROWS:
        printed |= {row.accuracy, row.mult_adds, row.params}
    for row in paper.APPLIED_ROWS:
        printed |= {row.metric, row.mult_adds, row.params}
    printed |= {claim[-1] for claim in paper.CLAIMS}
    printed |= {text for row in paper.TABLE_11 for text in row[1:]}
    printed |= {text for _, text in paper.PLANET_SPLIT}
    for table in (mobilenet_v2.V2_PAPER, mobilenet_v2.SLIM_V2_TABLE):
        printed |= {text for pair in table.values() for text in pair}
    return {text for text in printed if text}


PRINTED = printed_in_the_paper()
PRINTED_REASON = "printed in the paper"
# What says that a number is quoted: the paper, what it prints, its tables, TF-slim's table.
QUOTED = re.compile(r"(?:paper|print(?:s|ed)?|Tables?|TF-slim)\b[^.;!?]*$")


def plain_number(text: str) -> str:
    return SEPARATORS.sub("", text)


def phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(word) for word in phrase.split()))


class Chapter:
    """One chapter's prose, its number tokens, and why each may be typed there."""

    def __init__(self, name: str):
        self.name = name
        self.text = chapter_prose(name)
        self.tokens = tokens(name)
        self.references = [m.span() for m in REFERENCE.finditer(self.text)]
        self.runs = [m.span() for m in RUN.finditer(self.text)]
        self.allowed = {
            phrase: [m.span() for m in phrase_pattern(phrase).finditer(self.text)]
            for phrase in ALLOWED.get(name, {})
        }

    def run(self, token: Token) -> tuple[int, int, list[str]]:
        """The list or range of numbers ``token`` is in (itself, if none)."""
        for start, end in self.runs:
            if start <= token.start < end:
                return start, end, NUMBER.findall(self.text[start:end])
        return token.start, token.start + len(token.text), [token.text]

    def context(self, start: int, end: int, width: int = 40) -> tuple[str, str]:
        """``width`` characters of prose before and after ``start:end`` (blanked parts left
        out)."""
        before = " ".join(self.text[max(0, start - 5 * width) : start].split())[-width:]
        after = " ".join(self.text[end : end + 5 * width].split())[:width]
        return before, after

    def labels_a_configuration(self, token: Token) -> bool:
        start, end, numbers = self.run(token)
        if not all(n in ALPHAS or n in RESOLUTIONS for n in numbers if significant(n)):
            return False
        before, after = self.context(start, end)
        listed = len(numbers) >= 3 or "/" in self.text[start:end]
        return listed or bool(
            CONFIGURATION_BEFORE.search(before) or CONFIGURATION_AFTER.match(after)
        )

    def counts_a_size(self, token: Token) -> bool:
        start, end, numbers = self.run(token)
        if not all(n in SIZES for n in numbers if significant(n)):
            return False
        before, after = self.context(start, end)
        return bool(SIZE_AFTER.match(after) or SIZE_BEFORE.search(before))

    def exemption(self, token: Token) -> str | None:
        """Why ``token`` is not a result (None: it may be one)."""
        if not significant(token.text):
            return "a small count"
        if any(start <= token.start < end for start, end in self.references):
            return "a reference"
        if YEAR.fullmatch(token.text):
            return "a year"
        if IN_A_NAME.search(self.text[max(0, token.start - 30) : token.start]):
            return "part of a name"
        if self.labels_a_configuration(token):
            return "a configuration's label"
        if self.counts_a_size(token):
            return "a size in a network's definition"
        if plain_number(token.text) in PRINTED:
            return PRINTED_REASON
        return None

    def allowance(self, token: Token) -> str | None:
        """The phrase of :data:`ALLOWED` that covers ``token`` (None: none does)."""
        for phrase, spans in self.allowed.items():
            if any(start <= token.start < end for start, end in spans):
                return phrase
        return None

    def quoted(self, token: Token) -> bool:
        """Does the sentence say that ``token`` is quoted ("the paper prints", "Table 9's")?"""
        before, _ = self.context(token.start, token.start + len(token.text), 80)
        return bool(QUOTED.search(before))

    def site_candidates(self) -> list[Token]:
        """The tokens that may be retyped glued values: those that look like results, and numbers
        printed in the paper that the prose does not call quotations (a quoted number and a count
        that rounds to it look alike)."""
        return [
            t
            for t in self.tokens
            if (reason := self.exemption(t)) is None
            or (reason == PRINTED_REASON and not self.quoted(t))
        ]

    def unexplained(self) -> list[Token]:
        """The tokens that look like results and that no exemption or allowance covers."""
        return [t for t in self.tokens if self.exemption(t) is None and self.allowance(t) is None]

    def unused_allowances(self, hits: list[Token]) -> list[str]:
        """The phrases of :data:`ALLOWED` that do not occur, or cover none of ``hits``."""
        used = {self.allowance(token) for token in hits}
        return [phrase for phrase in self.allowed if phrase not in used]


def report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n" + "\n".join(problems)


# -- the unit layer ------------------------------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_prose_types_no_result(chapter):
    """Every number in the prose that looks like a result is glued, or exempt, or allowed."""
    found = Chapter(chapter)
    problems = [
        f"{t.where()}: {t.text!r} typed in prose; glue it from the code that computes it, or add "
        f"it to ALLOWED[{chapter!r}] with the reason it may be typed"
        for t in found.unexplained()
    ]
    assert not problems, report(problems, "retyped numbers")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_allowance_is_needed(chapter):
    found = Chapter(chapter)
    problems = [
        f"book/{chapter}.md: ALLOWED[{chapter!r}][{phrase!r}] covers no number that needs it"
        for phrase in found.unused_allowances(found.site_candidates())
    ]
    assert not problems, report(problems, "unneeded allowances")


def test_the_allowances_are_for_chapters():
    assert set(ALLOWED) <= set(CHAPTERS)


def test_prose_leaves_out_code_math_roles_and_options():
    text = "\n".join(
        [
            "---",
            "jupytext: 1.5",
            "---",
            "Prose 4.25 with `code 1.5` and $x = 2.5$ and {glue:text}`g:.2f` and [a](b/3.5.html).",
            "<!-- 7.5 -->",
            "```{code-cell} ipython3",
            "x = 8.5",
            "```",
            ":::{dropdown} Solution 9.5",
            ":name: sol-10.5",
            "Answer 11.5.",
            "```python",
            "12.5",
            "```",
            ":::",
            "$$",
            "13.5",
            "$$ (eq-14)",
        ]
    )
    found = NUMBER.findall(prose(text))
    assert found == ["4.25", "9.5", "11.5"]
    assert prose(text).count("\n") == text.count("\n")


def test_what_counts_as_a_result():
    assert [significant(t) for t in ("12", "99", "128", "0.5", "60,000", "007")] == [
        False,
        False,
        True,
        True,
        True,
        False,
    ]
    assert {"569", "4.2", "70.6", "15300", "1.32", "300", "3.47"} <= PRINTED
    assert {"0.75", "0.5", "0.50", "1.0"} <= ALPHAS and {"224", "192", "160", "128"} <= RESOLUTIONS
    assert {"1024", "1000", "1001", "120", "4096"} <= SIZES


# -- the site layer ------------------------------------------------------------------------------

# {glue:text}`name:format`, {glue}`name`: the names a chapter glues into its prose, and the formats.
GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`:]+)(?::([^`]*))?`")


def glued_numbers(chapter: str) -> dict[str, tuple[str, str]]:
    """The values the chapter glues, formatted as its roles format them, that look like results:
    {text: (name, format)}."""
    values = {}
    for name, data in json.loads((GLUE / f"{chapter}.glue.json").read_text()).items():
        plain = data.get("data", {}).get("text/plain")
        try:
            value = ast.literal_eval(plain) if plain else None
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = value
    source = (BOOK / f"{chapter}.md").read_text(encoding="utf-8")
    formatted = {}
    for name, spec in GLUE_ROLE.findall(source):
        if name in values:
            try:
                text = format(values[name], spec or "")
            except ValueError:
                continue
            if significant(text):
                formatted.setdefault(text, (name, spec))
    return formatted


def glueing_chapters() -> list[str]:
    """The chapters whose prose shows glued values."""
    return [c for c in CHAPTERS if GLUE_ROLE.search((BOOK / f"{c}.md").read_text(encoding="utf-8"))]


@pytest.mark.site
@pytest.mark.parametrize("chapter", glueing_chapters())
def test_prose_does_not_retype_a_glued_value(chapter):
    """No number in the prose is, as written, a value the same chapter glues (formatted as it glues
    it), unless :data:`ALLOWED` says why."""
    from site_support import missing

    if not (GLUE / f"{chapter}.glue.json").is_file():
        missing(f"no glued values of {chapter} at {GLUE} (run `make book`)")
    glued = glued_numbers(chapter)
    found = Chapter(chapter)
    problems = []
    for t in found.site_candidates():
        if t.text in glued and found.allowance(t) is None:
            name, spec = glued[t.text]
            problems.append(
                f"{t.where()}: {t.text!r} typed in prose is the glued value {name} formatted "
                f"{spec or 'as is'}; use {{glue:text}}`{name}:{spec}`, or add it to "
                f"ALLOWED[{chapter!r}] with the reason it may be typed"
            )
    assert not problems, report(problems, "glued values retyped")
