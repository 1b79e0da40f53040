"""The book's teaching shape, read from the sources (book/*.md and _toc.yml; no build, no browser).

Every chapter of the table of contents (every page but the tools and reference pages of
:data:`NOT_CHAPTERS`) opens with its learning objectives and prerequisites, closes with a summary,
further reading and at least four exercises, at least two of which ask for reasoning before
running anything, and hides a solution to each. The errata appendix (two pages) is a reference, not
a lesson: it needs a summary only (:data:`SUMMARY_ONLY`). Every page of the table, chapter or not,
stays within 650 lines, keeps its code cells within 79 characters a line, describes its figures in
words, and never prints a bare "FLOPs".

The FLOPs rule, as checked: the word FLOP (FLOPs, GFLOP/s, ...) may stand in a section (a part of
the page under one heading) only once the section has said which FLOPs it means, in that paragraph
or an earlier one: by linking the box ``{ref}`... <macs-flops>``` or the glossary term
``{term}`FLOP``, or by stating the factor ("two per mult-add", "twice", "2 ×", "factor 2"), so that
a reader who jumps to any section finds the unit explained before it is used. Exempt are code
cells, math, inline code, quotations ("1.72 GFLOPS" as a source printed it), option lines (a
figure's alt text) and the box itself (the admonition after the ``(macs-flops)=`` label in the
introduction).

Each check is parametrized by page, so that a page still being written fails on its own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import pytest
from site_support import PAGES, ROOT  # the pages of _toc.yml, root first

#: Pages of the table that are not lessons: the tools and the reference apparatus.
NOT_CHAPTERS = {
    "book/calculator",
    "book/api",
    "book/notation",
    "book/glossary",
    "book/bibliography",
    "genindex",
}
#: Appendix pages that need a summary but not the rest of a chapter's shape.
SUMMARY_ONLY = {"book/errata", "book/errata_applications"}
MAX_LINES = 650
MAX_CODE_LINE = 79
MIN_EXERCISES = 4
MIN_REASONING = 2
MIN_INDEX_ENTRIES = 10
#: The objectives and prerequisites must open the page: within this many lines of the title.
TOP_LINES = 45
BOX_LABEL = "macs-flops"


CHAPTERS = [page for page in PAGES if page not in NOT_CHAPTERS]
LESSONS = [page for page in CHAPTERS if page not in SUMMARY_ONLY]

# An opening or closing fence: ``` or ~~~ or ::: (three or more), then an optional {directive}
# and its argument.
FENCE = re.compile(r"^(`{3,}|~{3,}|:{3,})\s*(\{[\w:-]+\})?\s*(.*)$")
OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")


@dataclass(eq=False)  # hashable by identity
class Block:
    """A fenced block of a page: its directive (or info string), argument, options, body lines."""

    name: str
    argument: str
    start: int  # 0-based line of the opening fence
    options: dict[str, str] = field(default_factory=dict)
    body: list[tuple[int, str]] = field(default_factory=list)
    parent: Block | None = None


@dataclass
class Page:
    docname: str
    lines: list[str]
    blocks: list[Block]
    #: 0-based line numbers of prose: outside code, math and raw blocks, not an option line.
    prose: list[int]
    #: line -> the innermost block it is in (None at top level)
    owner: dict[int, Block | None]


CODE = {"{code-cell}", "{code-block}", "{code}", "{math}", "{raw}", "{eval-rst}"}


@cache
def page(docname: str) -> Page:
    path = ROOT / f"{docname}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = 0
    if lines and lines[0].strip() == "---":  # front matter
        start = lines.index("---", 1) + 1
    blocks: list[Block] = []
    stack: list[tuple[str, Block]] = []
    prose: list[int] = []
    owner: dict[int, Block | None] = {}
    in_math = False
    for number in range(start, len(lines)):
        line = lines[number]
        top = stack[-1][1] if stack else None
        owner[number] = top
        match = FENCE.match(line)
        if match and stack:
            fence, name, rest = match.groups()
            opening = stack[-1][0]
            if fence[0] == opening[0] and len(fence) >= len(opening) and not name and not rest:
                stack.pop()
                continue
        verbatim = top is not None and (top.name in CODE or not top.name.startswith("{"))
        if verbatim:
            top.body.append((number, line))
            continue
        if match and (match.group(2) or match.group(1)[0] != ":"):
            fence, name, argument = match.groups()
            block = Block(name or argument.split(" ")[0], argument if name else "", number)
            block.parent = top
            blocks.append(block)
            stack.append((fence, block))
            continue
        if top is not None:
            option = OPTION.match(line)
            if option and all(not text.strip() for _, text in top.body):
                top.options[option.group(1)] = option.group(2)
                continue
            top.body.append((number, line))
        if line.strip() == "$$" or (line.startswith("$$") and line.count("$$") == 1):
            in_math = not in_math
            continue
        if not in_math:
            prose.append(number)
    return Page(docname, lines, blocks, prose, owner)


def title_line(p: Page) -> int:
    return next(i for i, line in enumerate(p.lines) if line.startswith("# "))


def headings(p: Page) -> dict[str, int]:
    """Second-level headings of the prose -> their line number."""
    return {p.lines[i][3:].strip(): i for i in p.prose if p.lines[i].startswith("## ")}


def directives(p: Page, name: str) -> list[Block]:
    return [block for block in p.blocks if block.name == name]


# -- every page of the table ----------------------------------------------------------------------


@pytest.mark.parametrize("docname", PAGES)
def test_page_is_not_too_long(docname):
    lines = len(page(docname).lines) - 1  # the text ends with a newline
    assert lines <= MAX_LINES, f"{docname}.md has {lines} lines (at most {MAX_LINES})"


@pytest.mark.parametrize("docname", PAGES)
def test_code_cell_lines_fit(docname):
    p = page(docname)
    long = [
        f"{docname}.md:{number + 1}: {len(text)} characters"
        for block in directives(p, "{code-cell}")
        for number, text in block.body
        if len(text) > MAX_CODE_LINE
    ]
    assert not long, "code-cell lines over 79 characters:\n" + "\n".join(long)


PATH_LIKE = re.compile(r"^\S*[/\\]\S*$|^\S+\.(png|svg|jpe?g|gif|pdf|webp)$", re.IGNORECASE)
MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")


def alt_problem(alt: str) -> str | None:
    alt = alt.strip()
    if not alt:
        return "no alt text"
    if PATH_LIKE.match(alt):
        return f"alt text is a file path ({alt!r})"
    if len(alt.split()) < 4:
        return f"alt text does not describe the figure ({alt!r})"
    return None


@pytest.mark.parametrize("docname", PAGES)
def test_figures_are_described_in_words(docname):
    p = page(docname)
    problems = []
    for block in p.blocks:
        if block.name in ("{figure}", "{glue:figure}", "{image}", "{glue}"):
            if block.name == "{glue}" and "alt" not in block.options:
                continue  # an inline glue of a number or a table, not an image
            problem = alt_problem(block.options.get("alt", ""))
            if problem:
                problems.append(f"{docname}.md:{block.start + 1}: {block.name}: {problem}")
    for number in p.prose:
        for alt, _ in MD_IMAGE.findall(p.lines[number]):
            problem = alt_problem(alt)
            if problem:
                problems.append(f"{docname}.md:{number + 1}: image: {problem}")
    assert not problems, "\n".join(problems)


FLOP = re.compile(r"FLOP")
# What says which FLOPs a paragraph means.
FLOP_MEANING = re.compile(
    r"<" + BOX_LABEL + r">`|\{term\}`FLOPs?`|<FLOP>`|two per mult-add|\bFLOPs per mult-add"
    r"|\btwice\b|\b2\s*(×|\\times)|\bfactor (of )?(2|two)\b|\bcount as two\b",
    re.IGNORECASE,
)
# Not prose for this rule: roles, inline code, inline math, quotations.
NOT_WORDS = [
    re.compile(r"\{[\w:-]+\}`[^`]*`"),
    re.compile(r"`[^`]*`"),
    re.compile(r"\$[^$]*\$"),
    re.compile(r'"[^"\n]*"|“[^”]*”'),
]


def paragraphs(p: Page) -> list[list[int]]:
    """The prose lines grouped into paragraphs (split at blank lines, fences, headings and list
    items), without the lines of the MACs box."""
    box = {
        block
        for block in p.blocks
        if block.name == "{admonition}"
        and any(
            p.lines[i].strip() == f"({BOX_LABEL})=" for i in range(block.start - 2, block.start)
        )
    }

    def in_box(number: int) -> bool:
        block = p.owner.get(number)
        while block is not None:
            if block in box:
                return True
            block = block.parent
        return False

    groups: list[list[int]] = []
    previous = -2
    for number in p.prose:
        text = p.lines[number]
        if in_box(number) or not text.strip():
            previous = -2
            continue
        if number != previous + 1 or re.match(r"^\s*([-*+]|\d+\.)\s|^#", text):
            groups.append([])
        groups[-1].append(number)
        previous = number
    return groups


@pytest.mark.parametrize("docname", PAGES)
def test_no_bare_flops(docname):
    p = page(docname)
    bare = []
    said = False  # has this section said which FLOPs it means?
    for group in paragraphs(p):
        text = "\n".join(p.lines[i] for i in group)
        if text.startswith("#"):
            said = False  # a new section: say it again
        said = said or bool(FLOP_MEANING.search(text))
        words = text
        for pattern in NOT_WORDS:
            words = pattern.sub(" ", words)
        if FLOP.search(words) and not said:
            line = next(i for i in group if FLOP.search(p.lines[i]))
            bare.append(f"{docname}.md:{line + 1}: {p.lines[line].strip()[:90]}")
    assert not bare, (
        "FLOPs without saying which (link {ref}`MACs, mult-adds, FLOPs <macs-flops>` or "
        "{term}`FLOP`, or state the factor 2; the book's costs are mult-adds):\n" + "\n".join(bare)
    )


# -- chapters ------------------------------------------------------------------------------------


def admonition(p: Page, title: str) -> Block | None:
    return next(
        (b for b in directives(p, "{admonition}") if b.argument.strip().lower() == title.lower()),
        None,
    )


@pytest.mark.parametrize("docname", LESSONS)
def test_chapter_opens_with_objectives_and_prerequisites(docname):
    p = page(docname)
    title = title_line(p)
    first_section = min(headings(p).values(), default=len(p.lines))
    for name, css in (("Learning objectives", "tip"), ("Prerequisites", "note")):
        block = admonition(p, name)
        assert block is not None, f"{docname}: no `:::{{admonition}} {name}`"
        assert block.start - title <= TOP_LINES and block.start < first_section, (
            f"{docname}: the {name} admonition (line {block.start + 1}) is not at the top"
        )
        assert block.options.get("class", "").strip() == css, (
            f"{docname}: the {name} admonition needs `:class: {css}`"
        )
    bullets = [
        text for _, text in admonition(p, "Learning objectives").body if re.match(r"^[-*] ", text)
    ]
    assert 3 <= len(bullets) <= 5, f"{docname}: {len(bullets)} learning objectives (3 to 5)"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_closes_with_summary_reading_and_exercises(docname):
    p = page(docname)
    found = headings(p)
    wanted = ["Summary"] if docname in SUMMARY_ONLY else ["Summary", "Further reading", "Exercises"]
    missing = [name for name in wanted if name not in found]
    assert not missing, f"{docname}: no `## {'`, `## '.join(missing)}`"
    order = [found[name] for name in wanted]
    assert order == sorted(order), f"{docname}: {', '.join(wanted)} are out of order"
    if "Further reading" in wanted:
        end = min(
            (line for line in found.values() if line > found["Further reading"]),
            default=len(p.lines),
        )
        section = "\n".join(p.lines[found["Further reading"] : end])
        assert "{cite" in section, f"{docname}: the further reading cites no work"


LABEL = re.compile(r"^[\w-]+$")


@pytest.mark.parametrize("docname", LESSONS)
def test_exercises_ask_for_reasoning_and_hide_their_solutions(docname):
    p = page(docname)
    exercises = directives(p, "{exercise}")
    assert len(exercises) >= MIN_EXERCISES, (
        f"{docname}: {len(exercises)} {{exercise}} directives (at least {MIN_EXERCISES})"
    )
    labels = [block.options.get("label", "") for block in exercises]
    assert all(LABEL.match(label) for label in labels), f"{docname}: an exercise without :label:"
    assert len(set(labels)) == len(labels), f"{docname}: two exercises share a label"
    reasoning = [b for b in exercises if "reasoning" in b.options.get("class", "").split()]
    assert len(reasoning) >= MIN_REASONING, (
        f"{docname}: {len(reasoning)} exercises with `:class: reasoning` (at least {MIN_REASONING})"
    )
    solutions = {
        block.argument.strip(): block
        for block in p.blocks
        if block.name in ("{solution}", "{solution-start}")
    }
    unsolved = [label for label in labels if label not in solutions]
    assert not unsolved, f"{docname}: exercises without a solution: {unsolved}"
    shown = [
        label
        for label in labels
        if "dropdown" not in solutions[label].options.get("class", "").split()
    ]
    assert not shown, f"{docname}: solutions not hidden (`:class: dropdown`): {shown}"


INDEX_ROLE = re.compile(r"\{index\}`")


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_adds_index_entries(docname):
    p = page(docname)
    roles = sum(len(INDEX_ROLE.findall(p.lines[i])) for i in p.prose)
    entries = sum(
        len(re.findall(r"(?:single|pair|triple|see|seealso):", block.argument))
        + sum(len(re.findall(r"(?:single|pair|triple|see|seealso):", t)) for _, t in block.body)
        or 1
        for block in directives(p, "{index}")
    )
    assert roles + entries >= MIN_INDEX_ENTRIES, (
        f"{docname}: {roles + entries} index entries (at least {MIN_INDEX_ENTRIES})"
    )


def test_the_shape_rules_see_the_pages():
    """The parser finds what the rules are about: the introduction's box, exercises, code cells."""
    assert "book/intro" in LESSONS and "book/errata" in CHAPTERS
    intro = page("book/intro")
    assert any(b.name == "{code-cell}" for b in intro.blocks)
    assert len(directives(intro, "{exercise}")) >= MIN_EXERCISES
    box = [b for b in directives(intro, "{admonition}") if "FLOPs" in b.argument]
    assert box, "the MACs, mult-adds, FLOPs box is gone from the introduction"
    assert f"({BOX_LABEL})=" in intro.lines[box[0].start - 1], "the box lost its label"
