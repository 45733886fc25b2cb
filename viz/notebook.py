"""Inline display in Jupyter/IPython.

A ``graphviz.Digraph`` (what ``draw_dot`` returns) already displays itself in a notebook
through its ``_repr_mimebundle_``. A ``Value`` cannot, because ``autograd`` must not import
``viz``; instead ``enable_notebook_display()`` registers an IPython formatter that draws any
Value as SVG. Importing ``viz`` calls it automatically when it runs inside IPython.
"""

from __future__ import annotations

import sys

from autograd import Value


def _value_svg(value: Value) -> str | None:
    import graphviz

    from viz.dot import draw_dot

    try:
        return draw_dot(value).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        return None  # no `dot` program: IPython falls back to the text repr


def enable_notebook_display(shell=None) -> bool:
    """Make IPython/Jupyter show every ``Value`` as its drawn graph (SVG).

    Returns True if a shell was found and the formatter registered, False outside IPython.
    The text ``repr`` is unchanged; ``disable_notebook_display()`` undoes this.
    """
    shell = _shell(shell)
    if shell is None:
        return False
    shell.display_formatter.formatters["image/svg+xml"].for_type(Value, _value_svg)
    return True


def disable_notebook_display(shell=None) -> bool:
    """Stop drawing Values in IPython (they show as their text repr again)."""
    shell = _shell(shell)
    if shell is None:
        return False
    shell.display_formatter.formatters["image/svg+xml"].pop(Value, None)
    return True


def _shell(shell):
    """The given IPython shell, else the running one, else None (outside IPython)."""
    if shell is None and "IPython" in sys.modules:
        shell = sys.modules["IPython"].get_ipython()
    return shell
