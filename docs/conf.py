"""Sphinx configuration of the skembed documentation.

Build from the repository root (the one command, also written at the top of index.rst)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import importlib
import os
import socket
import sys
import warnings

# Build against the checkout these sources sit in, whether or not skembed is installed.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import skembed  # noqa: E402

project = "skembed"
author = "The skembed developers"
copyright = "2026, The skembed developers"
release = skembed.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

# Render the equations of the user guide with a copy of MathJax shipped in the HTML, so the
# site also works offline; without the package, MathJax comes from its CDN.
try:
    importlib.import_module("sphinx-mathjax-offline")
    extensions.append("sphinx-mathjax-offline")
except ImportError:
    pass

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/sg_execution_times.rst"]
source_suffix = {".rst": "restructuredtext"}
default_role = "literal"
nitpicky = False

# -- API reference -----------------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {}
autodoc_typehints = "none"
# The class template (docs/_templates/class.rst) documents the methods.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False



def _can_reach(host):
    """Whether ``host`` answers on port 443 (the build must also work offline)."""
    if os.environ.get("SKEMBED_DOCS_OFFLINE"):
        return False
    try:
        socket.create_connection((host, 443), timeout=3).close()
    except OSError:
        return False
    return True


# Links to the Python, numpy, scipy and scikit-learn documentation. Offline (CI without
# network, or SKEMBED_DOCS_OFFLINE=1) the inventories cannot be fetched and intersphinx would
# warn, failing the -W build; the references then simply render as plain text.
intersphinx_mapping = {}
if _can_reach("scikit-learn.org"):
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "scipy": ("https://docs.scipy.org/doc/scipy/", None),
        "sklearn": ("https://scikit-learn.org/stable/", None),
    }
intersphinx_timeout = 10

# -- Example gallery ---------------------------------------------------------------------
# Examples that need an estimator which is not on this branch yet stay out of the build
# (they are still in examples/ and run once the estimator lands). Empty when all have landed.
PENDING_EXAMPLES = []

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py"
    + "".join(f"|{name}" for name in PENDING_EXAMPLES),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
    "min_reported_time": 1,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    # Backreferences feed the "Examples in the gallery" list on each API page.
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skembed",),
}

warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg, which is a non-GUI backend",
)

# -- HTML --------------------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navigation_with_keys": False,
        "show_prev_next": True,
        "secondary_sidebar_items": ["page-toc"],
    }
except ImportError:  # the default theme keeps the build working without the extra
    html_theme = "alabaster"
    html_theme_options = {}

html_title = f"skembed {release}"
html_static_path = []
html_show_sourcelink = False

# MyST renders the Markdown benchmark report that the benchmarks page includes.
myst_enable_extensions = []
myst_heading_anchors = 3

# Methods that a class inherits from scikit-learn are documented by scikit-learn; their
# docstrings link to pages of scikit-learn's own site. Keep the few that users of a text
# transformer call directly and skip the others (metadata routing, set_output, ...).
_INHERITED_FROM_SKLEARN_KEPT = {"get_params", "set_params", "get_feature_names_out"}


def _skip_foreign_members(app, what, name, obj, skip, options):
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and module.startswith("sklearn."):
        return name not in _INHERITED_FROM_SKLEARN_KEPT
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
