"""The documentation site builds with warnings as errors, its gallery shows every
example's figures and its API reference has a page for every public name."""

import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("sklearn_sbs", "sklearn_sbs.boltzmann", "sklearn_sbs.metrics", "sklearn_sbs.neurons",
           "sklearn_sbs.sources", "sklearn_sbs.synapses", "sklearn_sbs.spikes", "sklearn_sbs.theory",
           "sklearn_sbs.plotting")


def _examples_table():
    """test_examples.EXPECTED: each example's files and printed phrases."""
    spec = importlib.util.spec_from_file_location("examples_table", Path(__file__).with_name("test_examples.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED


EXPECTED = _examples_table()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The README's docs command, on a copy of the sources (the build writes its
    generated pages next to them)."""
    src = tmp_path_factory.mktemp("site")
    for folder in ("docs", "examples"):
        shutil.copytree(ROOT / folder, src / folder,
                        ignore=shutil.ignore_patterns("_build", "generated", "auto_examples", "__pycache__"))
    (src / "benchmarks").mkdir()
    shutil.copy(ROOT / "benchmarks" / "RESULTS.md", src / "benchmarks")
    out = src / "html"
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                             str(src / "docs"), str(out)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return out


def test_the_readme_gives_the_docs_command():
    assert 'python -m sphinx -W -b html docs docs/_build/html' in (ROOT / "README.md").read_text()


def test_every_public_name_has_an_api_page(site):
    for module in MODULES:
        for name in importlib.import_module(module).__all__:
            assert (site / "generated" / f"{module}.{name}.html").is_file(), f"{module}.{name}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_gallery_shows_every_figure_of_each_example(site, name):
    page = (site / "auto_examples" / f"{name}.html").read_text()
    pngs = [f for f in EXPECTED[name][0] if f.endswith(".png")]
    shown = set(re.findall(rf"sphx_glr_{name}_(\d+)\.png", page))
    assert len(shown) == len(pngs), (name, shown)
    for image in shown:
        assert (site / "_images" / f"sphx_glr_{name}_{image}.png").stat().st_size > 5000
    # the quick run's printed summary is on the page too
    assert EXPECTED[name][1][0].split()[0] in page


def markdown_headings(text):
    """The ``## `` headings of a Markdown text, outside fenced code."""
    headings, fenced = [], False
    for line in text.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("## "):
            headings.append(line[3:].strip().replace("`", ""))
    return headings


def test_the_benchmark_tables_are_on_the_site(site):
    import html

    raw = (site / "benchmarks.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", raw))
    headings = markdown_headings((ROOT / "benchmarks" / "RESULTS.md").read_text())
    assert len(headings) >= 5
    for heading in headings:                   # every section, tables and all
        assert heading in text, heading
    assert raw.count("<table") >= 5
