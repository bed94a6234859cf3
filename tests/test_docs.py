"""Every code block in docs/*.md runs, and the output each one shows is the output it gives.

Conventions for docs/*.md (a block of any other kind fails this test):
- ```python blocks run in order in one namespace per file, in a fresh temporary folder per file.
  Whatever a block prints must be shown in a ```text block that follows it (only blank lines between).
- ```console blocks hold `$ glassnet ...` commands, each followed by the output it prints (stdout, then
  stderr); they run in the same folder as the file's python blocks, so files one writes, the next reads.
- ```diagram blocks are pictures of the code (docs/architecture.md); they do not run (tests/test_layout.py checks
  that the architecture page names every module).
- Shown output is compared line by line after stripping trailing spaces and trailing blank lines, with
  doctest's ELLIPSIS: `...` stands for any text, e.g. timings or the lines of a long printout.
docs/figures.py must redraw the committed pictures (to within a few pixels).
"""

import contextlib
import doctest
import io
import re
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
CHECKER = doctest.OutputChecker()


def blocks(text: str):
    """(language, body, line number, text after the block up to the next block)."""
    found = list(FENCE.finditer(text))
    for i, m in enumerate(found):
        following = text[m.end():found[i + 1].start()] if i + 1 < len(found) else text[m.end():]
        yield m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1, following


def same(want: str, got: str) -> bool:
    def tidy(s):
        return "\n".join(line.rstrip() for line in s.strip("\n").splitlines()) + "\n"
    return CHECKER.check_output(tidy(want), tidy(got), doctest.ELLIPSIS)


def run_python(code: str, namespace: dict, where: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, where, "exec"), namespace)
    return out.getvalue()


def run_console(body: str, where: str) -> None:
    commands = re.split(r"^\$ ", body, flags=re.M)
    assert not commands[0].strip(), f"{where}: a console block starts with `$ glassnet ...`"
    for chunk in commands[1:]:
        line, _, want = chunk.partition("\n")
        argv = shlex.split(line)
        assert argv[0] == "glassnet", f"{where}: only glassnet commands run in console blocks; got {line!r}"
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv[1:])
        got = out.getvalue() + err.getvalue()
        assert code == 0 or "error:" in want, f"{where}: `{line}` exited with {code}:\n{got}"
        assert same(want, got), f"{where}: `{line}` printed\n{got}\nbut the docs show\n{want}"


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_code_blocks_run_and_show_their_output(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    text = page.read_text()
    pending = None  # output of the last python block, waiting for its text block
    for language, body, line, following in blocks(text):
        where = f"{page.name} line {line}"
        if language == "python":
            assert pending is None, f"{where}: the block before printed output that no text block shows"
            got = run_python(body, namespace, where)
            pending = (got, where) if got and not following.strip() else None
            assert pending or not got, f"{where}: prints output that no text block right after it shows"
        elif language == "text":
            assert pending, f"{where}: a text block must come right after the python block whose output it shows"
            got, source = pending
            assert same(body, got), f"{source} printed\n{got}\nbut the docs show\n{body}"
            pending = None
        elif language == "console":
            run_console(body, where)
        elif language != "diagram":
            pytest.fail(f"{where}: code block of unknown kind {language!r}; use python, text or console")
    assert pending is None, f"{pending and pending[1]}: printed output that no text block shows"
    assert "```" not in FENCE.sub("", text), f"{page.name}: an unclosed code fence"


def test_figures_are_what_the_script_draws(tmp_path):
    from PIL import Image

    sys.path.insert(0, str(DOCS))
    try:
        import figures
    finally:
        sys.path.remove(str(DOCS))
    figures.main(str(tmp_path))
    for drawn in tmp_path.glob("*.png"):
        new = np.asarray(Image.open(drawn).convert("RGB"), dtype=int)
        old = np.asarray(Image.open(DOCS / drawn.name).convert("RGB"), dtype=int)
        assert new.shape == old.shape
        assert np.mean(np.abs(new - old).max(axis=2) > 2) < 0.002, f"{drawn.name} differs from docs/{drawn.name}"
    assert {p.name for p in tmp_path.glob("*.png")} == {"xor_boundary.png"}
