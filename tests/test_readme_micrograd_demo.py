"""The README's "Coming from micrograd" demo, run as written there: it must print what the
README says it prints. The code is read from the README itself, so the two cannot drift."""

import contextlib
import io
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_micrograd_demo_in_the_readme_prints_what_the_readme_says():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("## Coming from micrograd", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    promised = re.search(r"It prints `([^`]*)`", section).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md (Coming from micrograd)", "exec"), {})  # our own README
    assert out.getvalue().strip() == promised
