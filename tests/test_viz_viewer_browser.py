"""viz.viewer in a real browser: Debian's Chromium, headless, driven by Selenium.

The page is opened from disk; the tests step it with the keyboard and the buttons and check
what it shows at each step against ``explain_steps`` and the engine's ``.grad``. They skip
where Selenium, Chromium or its driver is not installed (``.ci/run`` installs them).
"""

import io
import os
import shutil
import subprocess

import pytest

from autograd import Value
from viz import explain_steps, format_number, viewer
from viz.viewer import iframe, viewer_html

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
DRIVER = shutil.which("chromedriver")
if CHROMIUM is None or DRIVER is None:
    pytest.skip("Chromium and chromedriver are not installed", allow_module_level=True)
if subprocess.run(["which", "dot"], capture_output=True).returncode != 0:
    pytest.skip("Graphviz's dot program is not installed", allow_module_level=True)

XSS = "</script><script>window.pwned = 1; alert(1)</script>"


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1400,900")
    try:
        driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    except Exception as e:  # a browser that cannot start here is a skip, not a failure
        pytest.skip(f"Chromium did not start: {e}")
    yield driver
    driver.quit()


def neuron(y_label="y"):
    """The documents' neuron, z = w·x + b, a = σ(z), L = ½(a − y)², after backward()."""
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
    y = Value(1.0, y_label, requires_grad=False)
    z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    L = 0.5 * (a - y) ** 2
    L.label = "L"
    L.backward()
    return L


def open_viewer(browser, tmp_path, root):
    path = tmp_path / "backprop.html"
    viewer(root, path)
    browser.get("file://" + os.path.abspath(path))
    return browser.find_element(By.TAG_NAME, "body")


# What the page shows, read from the DOM.
BOXES = """
return Array.from(document.querySelectorAll('#viz-graph g.node')).map(function (g) {
  var t = Array.from(g.querySelectorAll('text')).map(function (e) { return e.textContent; });
  return {texts: t, current: g.classList.contains('viz-current')};
}).filter(function (b) { return b.texts.some(function (s) { return s.indexOf('data ') === 0; }); });
"""


def boxes(browser):
    """{name: (data text, grad text or None, highlighted)} for every Value's box."""
    out = {}
    for box in browser.execute_script(BOXES):
        texts = box["texts"]
        grad = texts[-1] if texts[-1].startswith("grad ") else None
        data = texts[-2] if grad is not None else texts[-1]
        out[texts[0]] = (data, grad, box["current"])
    return out


def text_of(browser, element_id):
    return browser.execute_script(f"return document.getElementById('{element_id}').textContent")


def check_step(browser, steps, k):
    """The page shows step k (0 = start) of ``steps`` as it should."""
    shown = boxes(browser)
    counter = text_of(browser, "viz-counter")
    n_forward = sum(s.kind == "forward" for s in steps)
    if k == 0:
        assert counter == "start"
        assert not any(current for _, _, current in shown.values())
    else:
        step = steps[k - 1]
        i = k if step.kind == "forward" else k - n_forward
        n = n_forward if step.kind == "forward" else len(steps) - n_forward
        assert counter == f"{step.kind} {i} / {n}"
        assert text_of(browser, "viz-text") == "\n".join(step.text)
        highlighted = [name for name, (_, _, current) in shown.items() if current]
        assert highlighted == [step.name]
    computed = {s.node for s in steps[:k] if s.kind == "forward"}
    complete = {s.node for s in steps[:k] if s.kind == "backward"}
    for s in steps:
        if s.name not in shown:
            continue
        data, grad, _ = shown[s.name]
        node = s.node
        if node.inputs:  # an operation's value appears at its forward step
            assert data == ("data " + format_number(node.data) if node in computed else "data …")
        if s.kind == "backward":  # the engine's gradient, once complete
            assert grad == ("grad " + format_number(node.grad) if node in complete else "grad …")


def test_keyboard_and_buttons_step_through_forward_and_backward(browser, tmp_path):
    L = neuron()
    steps = explain_steps(L)
    body = open_viewer(browser, tmp_path, L)
    check_step(browser, steps, 0)
    assert text_of(browser, "viz-text") == "inputs: w = 0.5, x = 2, b = -1"
    for k in range(1, len(steps) + 1):  # forward, then backward, with →
        body.send_keys(Keys.ARROW_RIGHT)
        check_step(browser, steps, k)
    body.send_keys(Keys.ARROW_RIGHT)  # past the end: stays
    check_step(browser, steps, len(steps))
    for k in (len(steps) - 1, len(steps) - 2):  # back with ←
        body.send_keys(Keys.ARROW_LEFT)
        check_step(browser, steps, k)
    body.send_keys(Keys.HOME)
    check_step(browser, steps, 0)
    body.send_keys(Keys.END)
    check_step(browser, steps, len(steps))
    # The buttons do the same.
    browser.find_element(By.ID, "viz-first").click()
    check_step(browser, steps, 0)
    for k in (1, 2, 3):
        browser.find_element(By.ID, "viz-next").click()
        check_step(browser, steps, k)
    browser.find_element(By.ID, "viz-prev").click()
    check_step(browser, steps, 2)
    browser.find_element(By.ID, "viz-last").click()
    check_step(browser, steps, len(steps))
    # Every gradient shown at the end is the engine's.
    for name, (_, grad, _) in boxes(browser).items():
        node = next((s.node for s in steps if s.name == name), None)
        if node is not None and node.requires_grad:
            assert grad == "grad " + format_number(node.grad)


def test_play_runs_to_the_end_and_space_pauses(browser, tmp_path):
    L = neuron()
    steps = explain_steps(L)
    body = open_viewer(browser, tmp_path, L)
    browser.execute_script(
        "var s = document.getElementById('viz-speed'); s.value = '150';"
        "s.dispatchEvent(new Event('change'));"
    )
    body.send_keys(" ")  # play
    browser.implicitly_wait(0)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return window.vizViewer.step()") == len(steps)
    )
    check_step(browser, steps, len(steps))
    assert "play" in text_of(browser, "viz-play")  # stopped by itself at the end
    browser.find_element(By.ID, "viz-play").click()  # play again: from the start
    body.send_keys(" ")  # and pause
    k = browser.execute_script("return window.vizViewer.step()")
    assert k < len(steps)
    check_step(browser, steps, k)
    assert "play" in text_of(browser, "viz-play")


def test_clicking_a_node_shows_its_details(browser, tmp_path):
    L = neuron()
    body = open_viewer(browser, tmp_path, L)
    box = browser.execute_script(
        "return Array.from(document.querySelectorAll('#viz-graph g.node')).find(function (g) {"
        "  return g.querySelector('text').textContent === 'a'; });"
    )
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", box)
    details = text_of(browser, "viz-details")
    assert "name" in details and "op" in details and "sigmoid" in details
    assert "∂a/∂z = σ′(z) = σ(z)·(1 − σ(z)) = 0.25" in details
    assert "not complete yet" in details  # at the start, a's gradient is not known
    body.send_keys(Keys.END)
    details = text_of(browser, "viz-details")
    a = L.inputs[1].inputs[0].inputs[0]  # L = 0.5·t2, t2 = t1², t1 = a − y
    assert a.label == "a" and "grad" + format_number(a.grad) in details.replace("\n", "")


def test_a_label_runs_nothing_and_shows_as_text(browser, tmp_path):
    L = neuron(y_label=XSS)
    body = open_viewer(browser, tmp_path, L)  # an alert would make the driver raise here
    assert browser.execute_script("return window.pwned === undefined")
    assert XSS in boxes(browser)
    body.send_keys(Keys.END)
    steps = explain_steps(L)
    assert text_of(browser, "viz-text") == "\n".join(steps[-1].text)
    assert any(XSS in line for s in steps for line in s.text)


def test_two_viewers_in_one_page_do_not_interfere(browser, tmp_path):
    x = Value(3.0, "x")
    first, second = (x * x).tanh(), x.exp() + x
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><body>"
        + iframe(viewer_html(first))
        + iframe(viewer_html(second))
        + "</body></html>",
        encoding="utf-8",
    )
    browser.get("file://" + os.path.abspath(host))
    frames = browser.find_elements(By.TAG_NAME, "iframe")
    assert len(frames) == 2
    browser.switch_to.frame(frames[0])
    for _ in range(3):
        browser.find_element(By.ID, "viz-next").click()
    assert text_of(browser, "viz-counter") == "backward 1 / 3"
    browser.switch_to.default_content()
    browser.switch_to.frame(frames[1])
    assert text_of(browser, "viz-counter") == "start"  # untouched by the first
    browser.find_element(By.ID, "viz-next").click()
    assert text_of(browser, "viz-counter") == "forward 1 / 2"
    browser.switch_to.default_content()
    browser.switch_to.frame(frames[0])
    assert text_of(browser, "viz-counter") == "backward 1 / 3"
    browser.switch_to.default_content()


def test_screenshot_is_not_blank(browser, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    body = open_viewer(browser, tmp_path, neuron())
    for _ in range(9):
        body.send_keys(Keys.ARROW_RIGHT)
    png = browser.get_screenshot_as_png()
    (tmp_path / "viewer.png").write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = list(image.getdata())
    not_white = sum(1 for p in pixels if min(p) < 235) / len(pixels)
    assert not_white > 0.01, not_white  # text, boxes and controls are drawn
    assert len(set(pixels)) > 50  # and in colours: the highlight, the fills, the grey
    orange = sum(1 for r, g, b in pixels if r > 200 and 80 < g < 160 and b < 80)
    assert orange > 50  # the glowing edges and the highlighted box


def test_both_arrows_glow_when_a_value_feeds_an_operation_twice(browser, tmp_path):
    # x * x draws two arrows with the same Graphviz name (v1->op0): both carried a share.
    x = Value(3.0, "x")
    y = x * x
    y.backward()
    body = open_viewer(browser, tmp_path, y)
    body.send_keys(Keys.END)
    glowing = browser.execute_script(
        "return document.querySelectorAll('#viz-graph g.edge.viz-glow').length"
    )
    assert explain_steps(y)[-1].node is x  # the last step: x's gradient, sent along both
    assert glowing == 3  # both arrows x -> ·, and the arrow · -> y of the node they feed


LAYOUT = """
var graph = document.getElementById('viz-graph').getBoundingClientRect();
var aside = document.querySelector('aside').getBoundingClientRect();
return {stacked: document.querySelector('main').classList.contains('viz-stacked'),
        graphBottom: graph.bottom, graphHeight: graph.height, asideTop: aside.top,
        asideLeft: aside.left, svgHeight: document.querySelector('#viz-graph svg')
          .getBoundingClientRect().height};
"""


def test_a_wide_graph_takes_the_whole_width_with_the_text_below_it(browser, tmp_path):
    # A neuron of four inputs and its loss, drawn left to right, is about ten times as wide
    # as tall: beside the text panel it was a short strip that scrolled sideways, with most
    # of the page empty below it.
    xs = [Value(0.1 * i, f"x{i}") for i in range(4)]
    ws = [Value(0.3 - 0.2 * i, f"w{i}") for i in range(4)]
    z = sum((w * x for w, x in zip(ws, xs)), Value(0.5, "b"))
    loss = 0.5 * (z.tanh() - 1.0) ** 2
    loss.backward()
    open_viewer(browser, tmp_path, loss)
    layout = browser.execute_script(LAYOUT)
    assert layout["stacked"]
    assert layout["asideTop"] >= layout["graphBottom"] - 1 and layout["asideLeft"] < 20
    assert layout["graphHeight"] < layout["svgHeight"] + 60  # no empty band below the graph
    # the digits neuron (8 inputs drawn, the rest summed) is wide and tall: the step's text
    # must still show without scrolling the page
    from nn.layers import MLP
    from nn.pictures import neuron_graph

    open_viewer(browser, tmp_path, neuron_graph(MLP(64, [3, 10], seed=1), [0.5] * 64, 1.0))
    layout = browser.execute_script(LAYOUT)
    height = browser.execute_script("return window.innerHeight")
    assert layout["stacked"] and layout["asideTop"] < height - 100, (layout, height)
    # a graph that fits keeps the panel beside it
    small = Value(2.0, "x") * Value(3.0, "y")
    small.backward()
    open_viewer(browser, tmp_path, small)
    layout = browser.execute_script(LAYOUT)
    assert not layout["stacked"] and layout["asideLeft"] > 500
