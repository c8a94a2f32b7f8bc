"""The README and docs/ are true: snippets run, paths exist, extras are named, no outside refs.

Every fenced ```python block of README.md and docs/*.md runs on its own in a fresh namespace
(so each must import and define what it uses), with the working directory and the job
store (``QDQ_STORE``) in a temporary folder. A block that needs an optional extra must say
so in the text just above it (``pip install -e '.[extra]'``); it is skipped only when that
extra is not installed here.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: Optional extras a snippet may need -> the module that proves the extra is installed.
EXTRAS = {"ibm": "qiskit_ibm_runtime", "pennylane": "pennylane", "qasm": "qiskit_qasm3_import",
          "dask": "dask", "estimate": "qdk", "mitigation": "mthree", "jax": "jax",
          "qp": "highspy", "binary": "dimod", "training": "sklearn",
          "classical": "ortools", "braket": "qiskit_braket_provider", "ionq": "qiskit_ionq"}
#: What in a snippet means it needs an extra.
NEEDS = {"pennylane": re.compile(r"backend=\"pennylane\"|import pennylane"),
         "ibm": re.compile(r"fake_\w+|ibm_\w+|qiskit_ibm_runtime|backend=\"ibm\""),
         "estimate": re.compile(r"qdq\.estimate\("),
         "mitigation": re.compile(r"depth_scan\(|mthree"),
         "jax": re.compile(r"backend=\"jax\"|qdq\.jax\b|import jax|optimize_schedule\("),
         "qp": re.compile(r"read_qp\("),
         "braket": re.compile(r"braket:|iqm:|backend=\"braket\""),
         "ionq": re.compile(r"ionq:|backend=\"ionq\"")}

#: Paths the docs mention that are deliberately not in this repository.
NOT_IN_REPO = {
    "plot/fig2/NonCVX2d_prob.py": "in the QHD authors' repository (docs/benchmarks.md)",
    "docs/_posts/2022-4-6-Metrics.md": "in the QHD authors' repository (docs/benchmarks.md)",
    "./qdq-results/": "created by `qdq solve`",
    "tsp_test_anonymopus/Final_result.txt": "in Seok & Cho's repository (docs/seed_claims.md)",
    "ml_test_anonymopus/": "in Seok & Cho's repository (docs/seed_claims.md)",
}

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)


def _blocks(path: Path) -> list[tuple[str, str, str]]:
    """``(language, code, text before the block)`` of every fenced block in ``path``."""
    text = path.read_text(encoding="utf-8")
    out, last = [], 0
    for m in _FENCE.finditer(text):
        out.append((m.group(1), m.group(2), text[last:m.start()]))
        last = m.end()
    return out


def _python_blocks():
    for path in DOCS:
        n = 0
        for lang, code, before in _blocks(path):
            if lang == "python":
                n += 1
                yield pytest.param(code, before, id=f"{path.relative_to(ROOT)}:{n}")


PY_BLOCKS = list(_python_blocks())


def _stated_extras(before: str) -> set[str]:
    """Extras named in the paragraph just above a block (``.[ibm]``, ``.[pennylane]``)."""
    para = before.rstrip().rsplit("\n\n", 1)[-1]
    return {name for group in re.findall(r"\.\[([\w,]+)\]", para)
            for name in group.split(",")}


def test_docs_have_python_snippets():
    ids = [p.id for p in PY_BLOCKS]
    assert sum(i.startswith("README.md") for i in ids) >= 5
    assert any(i.startswith("docs/") for i in ids)


@pytest.mark.parametrize(("code", "before"), PY_BLOCKS)
def test_snippet_names_the_extras_it_needs(code, before):
    needed = {extra for extra, pat in NEEDS.items() if pat.search(code)}
    assert needed <= _stated_extras(before), (
        f"the text above this block must say it needs pip install -e '.[{','.join(needed)}]'")


@pytest.mark.slow
@pytest.mark.parametrize(("code", "before"), PY_BLOCKS)
def test_snippet_runs_on_its_own(code, before, tmp_path, monkeypatch):
    for extra in _stated_extras(before):
        module = EXTRAS.get(extra)
        assert module is not None, f"unknown extra .[{extra}]"
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"extra .[{extra}] not installed ({module})")
    monkeypatch.setenv("QDQ_STORE", str(tmp_path / "store.sqlite3"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    exec(compile(code, "<snippet>", "exec"), namespace)  # noqa: S102 - our own docs


# ------------------------------------------------------------------ paths and references
def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = _FENCE.sub("", text)
    return {_slug(h) for h in re.findall(r"^#+\s+(.*)$", text, re.M)}


_PATHLIKE = re.compile(r"^\.{0,2}/?[\w.\-]+(/[\w.\-]*)+$")


def _mentioned_paths(path: Path) -> list[tuple[str, Path | None, str | None]]:
    """``(as written, resolved candidates' base, anchor)`` for links and backticked paths."""
    text = path.read_text(encoding="utf-8")
    prose = _FENCE.sub("", text)
    out = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"^(https?:|mailto:)", target):
            continue
        file, _, anchor = target.partition("#")
        out.append((target, (path.parent / file) if file else path, anchor or None))
    for token in re.findall(r"`([^`\s]+)`", prose):
        last = token.rstrip("/").rsplit("/", 1)[-1]
        if _PATHLIKE.match(token) and (token.endswith("/") or "." in last):
            out.append((token, None, None))
    return out


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_mentioned_path_exists(doc):
    missing = []
    for written, resolved, anchor in _mentioned_paths(doc):
        if written in NOT_IN_REPO:
            continue
        if resolved is None:           # a backticked path: repo-relative or file-relative
            bare = written.split(" ")[0]
            candidates = [ROOT / bare, doc.parent / bare]
            if not any(c.exists() for c in candidates):
                missing.append(written)
            continue
        if not resolved.exists():
            missing.append(written)
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            missing.append(f"{written} (no heading with that anchor)")
    assert not missing, f"{doc.name} mentions paths that do not exist: {missing}"


def test_path_scanner_sees_what_it_should():
    found = {w for w, _, _ in _mentioned_paths(ROOT / "README.md")}
    assert {"bench/README.md", "docs/conventions.md", "qdq/grid.py"} <= found
    assert "1/N" not in found and "r/L" not in found


def test_no_references_outside_the_repository():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    # Built by concatenation so this file does not match itself.
    patterns = ["shared" + "/", "DESIGN" + ".md", "BENCHMARKS" + ".md"]
    args = ["git", "grep", "-n", "-I", "--untracked", "-F"]
    for p in patterns:
        args += ["-e", p]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout == "", "references to files outside the repo:\n" + done.stdout


def test_readme_commands_use_the_project_venv():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/python circuits/generate.py --check" in text
    assert not re.search(r"(?<!bin/)python circuits/generate\.py", text)


def test_readme_keeps_the_required_aer_shots_line():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    line = ('qdq.run(qdq.ImaginaryTime(H, time=2.0, steps=20), backend="aer", shots=4000)')
    assert line in text
