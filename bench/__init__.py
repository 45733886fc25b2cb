"""Benchmarks for chaingrad against micrograd, PyTorch and a plain-float floor.

Run ``python -m bench`` (or ``python bench/run.py``); ``python -m bench --help`` lists the
options. The pieces, one concept per module:

- ``engines/``  one file per engine, all with the interface of ``engines/base.py``;
- ``data.py``   the seeded two-moons points and the shared initial MLP weights;
- ``workloads.py`` one *trial* of each workload on one engine (what is timed, and how);
- ``plan.py``   which cases (workload × size × collector setting) a run measures;
- ``worker.py`` the subprocess that runs trials for one engine;
- ``runner.py`` alternates the engines trial by trial and collects the raw numbers;
- ``report.py`` medians, ratios, the floors and the printed tables;
- ``run.py``    the command line; ``profile_engine.py`` cProfile of chaingrad's hot paths.
"""
