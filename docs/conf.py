"""Sphinx configuration of the sklearn-sbs documentation.

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (after
``pip install ".[docs]"``).  The gallery runs every script of ``examples/`` with
``--quick`` (see ``_gallery.py``).
"""

import os
import sys
from importlib.metadata import version as _version

sys.path.insert(0, os.path.dirname(__file__))     # _gallery

project = "sklearn-sbs"
author = "sklearn-sbs developers"
copyright = "2026, sklearn-sbs developers"
release = _version("sklearn-sbs")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
templates_path = ["_templates"]

# the API reference: one page per public name, written by autosummary
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False     # autosummary's class template lists them
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

myst_heading_anchors = 3
suppress_warnings = ["myst.header"]     # RESULTS.md's sections start at level 2

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",       # every example runs
    "reset_argv": "_gallery.reset_argv",
    "image_scrapers": ("_gallery.saved_figures_scraper",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "plot_gallery": "True",
    "show_memory": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-sbs {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = []


def setup(app):
    import _gallery

    app.connect("build-finished", _gallery.cleanup)
