"""viz: see backpropagation — draw computation graphs, write the chain rule out, plot training.

    >>> from autograd import Value
    >>> from viz import draw_dot, render, explain, viewer
    >>> x = Value(2.0, label="x"); y = (x * x).tanh(); y.backward()
    >>> render(y, "graph.svg")        # or .png, .pdf, .dot        # doctest: +SKIP
    >>> print(explain(y))                                          # doctest: +SKIP
    >>> viewer(y, "backprop.html")    # step through it in a browser # doctest: +SKIP

Imports ``autograd`` only (never ``nn``); ``autograd`` never imports ``viz``. Inside IPython or
Jupyter, importing viz makes every Value display as its drawn graph (see ``viz.notebook``).
"""

from viz.confusion import confusion_matrix, plot_confusion_matrix
from viz.dot import GraphvizNotFoundError, display_text, draw_dot, format_number, render
from viz.explain import explain, explain_steps
from viz.notebook import disable_notebook_display, enable_notebook_display
from viz.plots import plot_decision_boundary, plot_history
from viz.viewer import viewer

__all__ = [
    "draw_dot",
    "render",
    "display_text",
    "format_number",
    "GraphvizNotFoundError",
    "explain",
    "explain_steps",
    "viewer",
    "enable_notebook_display",
    "disable_notebook_display",
    "plot_decision_boundary",
    "plot_history",
    "plot_confusion_matrix",
    "confusion_matrix",
]

enable_notebook_display()  # a no-op outside IPython
