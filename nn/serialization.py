"""Saving and loading models as JSON files — readable, diffable, and never executed (no pickle).

The file records what the model is and what its parameters are::

    {"format": "chaingrad.nn", "version": 1,
     "model": "MLP", "config": {"nin": 2, "nouts": [16, 16, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.123, ...}}

and, for a model trained on real data, optionally ``"preprocessing"`` (the standardisation of
its inputs, see ``nn.preprocessing``) and ``"classes"`` (the original label of each class
index), which ``load_model`` and ``Module.load`` set as ``model.preprocessing`` and
``model.classes``.

Saving is atomic: the JSON goes to a temporary file in the same directory, which is then
renamed over the target (``os.replace`` is atomic on POSIX and Windows). A crash or an error
half-way leaves the previous file as it was. Loading checks the whole file before touching the
model, so a bad file leaves the model unchanged.
"""

from __future__ import annotations

import json
import os
import tempfile

from nn.module import Module, state_problem

FORMAT = "chaingrad.nn"
VERSION = 1

# The process umask, read once at import: reading it means setting it, which is not safe to
# do while other threads may be creating files.
_UMASK = os.umask(0)
os.umask(_UMASK)


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the file and the problem."""


class ModelFileNotFoundError(ModelFileError, FileNotFoundError):
    """The model file does not exist."""


def to_json(module: Module) -> dict:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": type(module).__name__,
        "config": module.config(),
        "parameters": module.state_dict(),
    }
    # Optional metadata of a model trained on real data (see nn.preprocessing): how to prepare
    # a raw input, and the original label of each class index.
    for key in ("preprocessing", "classes"):
        if getattr(module, key, None) is not None:
            document[key] = getattr(module, key)
    return document


def save(module: Module, path) -> None:
    """Write ``module`` to ``path`` atomically (see the module docstring)."""
    path = os.fspath(path)
    document = to_json(module)
    problem = state_problem(module, document["parameters"])
    if problem:  # e.g. a diverged model with nan weights: JSON cannot hold nan
        raise ValueError(f"cannot save to {path!r}: {problem}")
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=1, allow_nan=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them visible
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def read(path) -> dict:
    """The checked contents of a model file (raises ``ModelFileError``)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ModelFileNotFoundError(f"cannot load model from {path!r}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ModelFileError(f"cannot load model from {path!r}: {e}") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as e:
        raise ModelFileError(f"cannot load model from {path!r}: not a JSON file ({e})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(
            f"cannot load model from {path!r}: not a chaingrad model file "
            f'(expected a JSON object with "format": "{FORMAT}")'
        )
    if document.get("version") != VERSION:
        raise ModelFileError(
            f"cannot load model from {path!r}: unsupported version "
            f"{document.get('version')!r} (this chaingrad reads {VERSION})"
        )
    if not isinstance(document.get("parameters"), dict):
        raise ModelFileError(f'cannot load model from {path!r}: no "parameters" object')
    problem = _metadata_problem(document)
    if problem:
        raise ModelFileError(f"cannot load model from {path!r}: {problem}")
    return document


def _metadata_problem(document: dict) -> str:
    from nn.preprocessing import check_preprocessing

    if document.get("preprocessing") is not None:
        try:
            check_preprocessing(document["preprocessing"])
        except ValueError as e:
            return str(e)
    classes = document.get("classes")
    if classes is not None:
        if not isinstance(classes, list) or not all(
            isinstance(c, (str, int)) and not isinstance(c, bool) for c in classes
        ):
            return '"classes" must be a list of class labels (strings or integers)'
        if len(set(map(str, classes))) != len(classes):
            return f'"classes" has a label twice: {classes!r:.80}'
    return ""


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def load_into(module: Module, path) -> None:
    """Load the parameters in ``path`` into ``module``; on any problem raise
    ``ModelFileError`` and leave ``module`` unchanged."""
    path = os.fspath(path)
    _load_document(module, read(path), path)


def _load_document(module: Module, document: dict, path: str) -> None:
    saved_model, saved_config = document.get("model"), document.get("config")
    if saved_model != type(module).__name__ or saved_config != module.config():
        raise ModelFileError(
            f"cannot load model from {path!r}: it holds another architecture, "
            f"{_describe(saved_model, saved_config)}, but this model is "
            f"{_describe(type(module).__name__, module.config())}"
        )
    problem = state_problem(module, document["parameters"])
    if problem:
        raise ModelFileError(f"cannot load model from {path!r}: {problem}")
    module.load_state_dict(document["parameters"])
    module.preprocessing = document.get("preprocessing")
    module.classes = document.get("classes")


def load_model(path) -> Module:
    """Build the model saved in ``path`` (an MLP, Layer or Neuron) and load its parameters.

    The returned model's ``preprocessing`` and ``classes`` are the file's (None when it has
    none). A custom ``Module`` subclass cannot be rebuilt from a file: ``ModelFileError`` says
    so; build it yourself and call ``model.load(path)``."""
    from nn.layers import MLP, Layer, Neuron

    path = os.fspath(path)
    document = read(path)
    classes = {"MLP": MLP, "Layer": Layer, "Neuron": Neuron}
    model = document.get("model")
    cls = classes.get(model) if isinstance(model, str) else None
    config = document.get("config")
    if cls is None and isinstance(model, str) and model.isidentifier():
        raise ModelFileError(
            f"cannot load model from {path!r}: it holds a custom model, {model}, which "
            f"load_model cannot rebuild (it knows {', '.join(classes)}); build it as you did "
            f"before saving, then load the weights into it: model = {model}(...); "
            f"model.load({path!r})"
        )
    if cls is None or not isinstance(config, dict):
        raise ModelFileError(
            f"cannot load model from {path!r}: unknown model "
            f"{document.get('model')!r} (known: {', '.join(classes)})"
        )
    expected = _parameter_count(document.get("model"), config)
    if expected is not None and expected > 2 * len(document["parameters"]) + 1000:
        # A damaged config must not make us allocate a model far larger than the file; a
        # near miss is built and then reported name by name by _load_document.
        raise ModelFileError(
            f"cannot load model from {path!r}: its config "
            f"{_describe(document.get('model'), config)} does not match its "
            f"{len(document['parameters'])} parameters"
        )
    try:
        module = cls(**config)
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"cannot load model from {path!r}: bad config ({e})") from None
    _load_document(module, document, path)
    return module


def _parameter_count(model, config: dict):
    """How many parameters ``config`` describes (None if it cannot tell)."""

    def size(n):
        return n if isinstance(n, int) and not isinstance(n, bool) and n >= 1 else None

    nin = size(config.get("nin"))
    if model == "Neuron":
        return None if nin is None else nin + 1
    if model == "Layer":
        nout = size(config.get("nout"))
        return None if nin is None or nout is None else (nin + 1) * nout
    nouts = config.get("nouts")
    if nin is None or not isinstance(nouts, list) or not nouts:
        return None
    sizes = [nin] + [size(n) for n in nouts]
    if None in sizes:
        return None
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def _describe(model, config) -> str:
    if not isinstance(config, dict):
        return f"{model}"
    return f"{model}({', '.join(f'{k}={v!r}' for k, v in config.items())})"
