"""The gallery's glue: the examples run quick, and the figures they save are shown.

Each example is a command-line script that saves its figures with ``savefig``
into ``--output-dir`` and closes them, so sphinx-gallery's matplotlib scraper
(which collects the figures still open) would find none.  Here every example
runs with ``--quick`` (tiny durations: a docs build in minutes) and an output
folder of its own, and the scraper collects the PNG files it wrote there.
"""

import shutil
import tempfile
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

# one folder per build, removed with the interpreter's temp files
OUTPUT_ROOT = Path(tempfile.mkdtemp(prefix="sklearn-sbs-gallery-"))


def output_dir(src_file):
    return OUTPUT_ROOT / Path(src_file).stem


def reset_argv(gallery_conf, script_vars):
    """The command line each example runs with in the docs build."""
    return ["--quick", "--output-dir", str(output_dir(script_vars["src_file"]))]


_shown = {}       # example -> the PNGs already put on its page


def saved_figures_scraper(block, block_vars, gallery_conf):
    """The PNGs the example wrote since the last code block, in the order written."""
    folder = output_dir(block_vars["src_file"])
    shown = _shown.setdefault(str(folder), set())
    new = sorted((p for p in folder.glob("*.png") if p.name not in shown),
                 key=lambda p: (p.stat().st_mtime_ns, p.name)) if folder.is_dir() else []
    paths = []
    for png, target in zip(new, block_vars["image_path_iterator"]):
        shutil.copyfile(png, target)
        shown.add(png.name)
        paths.append(target)
    return figure_rst(paths, gallery_conf["src_dir"])


def cleanup(app, exception):
    shutil.rmtree(OUTPUT_ROOT, ignore_errors=True)


__all__ = ["reset_argv", "saved_figures_scraper", "cleanup"]
