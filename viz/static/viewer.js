// The step-through viewer of viz.viewer: plays the steps of viz.explain_steps over the drawn
// graph. Everything user-given is set with textContent, never parsed as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("viz-data").textContent);
  var steps = data.steps;
  var nodes = data.nodes;
  var svg = document.querySelector("#viz-graph svg");
  var textBox = document.getElementById("viz-text");
  var counter = document.getElementById("viz-counter");
  var phase = document.getElementById("viz-phase");
  var details = document.getElementById("viz-details");
  var playButton = document.getElementById("viz-play");
  var speed = document.getElementById("viz-speed");

  // Graphviz puts each node's and edge's name in its <title>: v0 (the root), op0, "v1->op0".
  var nodeEls = {};
  var edgeEls = {}; // title -> every edge of that name: x*x draws two arrows v1->op0
  svg.querySelectorAll("g.node").forEach(function (g) {
    var title = g.querySelector("title");
    if (title) nodeEls[title.textContent] = g;
  });
  svg.querySelectorAll("g.edge").forEach(function (g) {
    var title = g.querySelector("title");
    if (title) (edgeEls[title.textContent] = edgeEls[title.textContent] || []).push(g);
  });
  // Tooltips would repeat the ids; the details panel says more.
  svg.querySelectorAll("title").forEach(function (t) { t.textContent = ""; });

  // The step (0 = start) at which each value is computed and each gradient complete.
  var computedAt = {};
  var gradAt = {};
  Object.keys(nodes).forEach(function (id) {
    computedAt[id] = nodes[id].kind === "operation" || nodes[id].kind === "root" ? Infinity : 0;
    if (nodes[id].kind === "root" && !nodes[id].op) computedAt[id] = 0; // a leaf root
    gradAt[id] = Infinity;
  });
  steps.forEach(function (step, i) {
    if (step.kind === "forward") computedAt[step.node] = i + 1;
    else gradAt[step.node] = i + 1;
  });

  // The data and grad cells are the last texts of a value's box: [op] [name] [data] [grad].
  var cells = {};
  Object.keys(nodes).forEach(function (id) {
    var g = nodeEls[id];
    if (!g) return;
    var texts = g.querySelectorAll("text");
    var n = texts.length;
    var hasGrad = nodes[id].grad !== null;
    cells[id] = {
      data: hasGrad ? texts[n - 2] : texts[n - 1],
      grad: hasGrad ? texts[n - 1] : null
    };
  });

  // Fit a wide graph to the page, but never below 60 % of its size: beyond, it scrolls. A
  // graph wider than its pane and more than twice as wide as tall (a neuron and its loss,
  // drawn left to right) gets the page's whole width, the text panel going below it.
  (function fit() {
    var pane = document.getElementById("viz-graph");
    var box = svg.getBoundingClientRect();
    var natural = box.width;
    if (natural > pane.clientWidth - 16 && natural > 2 * box.height) {
      document.querySelector("main").classList.add("viz-stacked");
    }
    var room = pane.clientWidth - 16;
    if (natural > 0 && room > 0 && natural > room) {
      svg.style.width = Math.max(0.6 * natural, room) + "px";
      svg.style.height = "auto";
    }
  })();

  var current = 0;
  var timer = null;
  var selected = null;

  function show(k) {
    current = Math.max(0, Math.min(steps.length, k));
    var step = current > 0 ? steps[current - 1] : null;
    Object.keys(cells).forEach(function (id) {
      var c = cells[id];
      var computed = computedAt[id] <= current;
      if (c.data) {
        c.data.textContent = "data " + (computed ? nodes[id].data : "…");
        c.data.classList.toggle("viz-pending", !computed);
      }
      if (c.grad) {
        var complete = gradAt[id] <= current;
        c.grad.textContent = "grad " + (complete ? nodes[id].grad : "…");
        c.grad.classList.toggle("viz-pending", !complete);
      }
    });
    Object.keys(nodeEls).forEach(function (id) {
      nodeEls[id].classList.remove("viz-current");
    });
    Object.keys(edgeEls).forEach(function (id) {
      edgeEls[id].forEach(function (g) { g.classList.remove("viz-glow"); });
    });
    if (step) {
      var box = nodeEls[step.node];
      if (box) {
        box.classList.add("viz-current");
        if (box.scrollIntoView) box.scrollIntoView({ block: "nearest", inline: "center" });
      }
      if (step.kind === "forward" && nodeEls["op" + step.node.slice(1)]) {
        nodeEls["op" + step.node.slice(1)].classList.add("viz-current");
      }
      step.edges.forEach(function (e) {
        (edgeEls[e] || []).forEach(function (g) { g.classList.add("viz-glow"); });
      });
      textBox.textContent = step.text;
      counter.textContent = step.counter;
      phase.textContent = step.kind === "forward" ? "forward pass" : "backward pass";
    } else {
      textBox.textContent = data.start;
      counter.textContent = "start";
      phase.textContent = "start";
    }
    if (selected) describe(selected);
    if (current >= steps.length) pause();
  }

  function describe(id) {
    var node = nodes[id];
    while (details.firstChild) details.removeChild(details.firstChild);
    function row(term, value) {
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      details.appendChild(dt);
      details.appendChild(dd);
    }
    row("name", node.name);
    if (node.label) row("label", node.label);
    row("kind", node.kind);
    if (node.op) row("op", node.op + " (" + node.symbol + ")   " + node.definition);
    row("value", computedAt[id] <= current ? node.data : "not computed yet");
    if (node.grad !== null) {
      row("grad", gradAt[id] <= current ? node.grad : "not complete yet");
    } else {
      row("grad", "none (a constant takes no gradient)");
    }
    if (node.local.length) row("local derivatives", node.local.join("\n"));
    if (node.rule) row("rule", node.rule);
  }

  function valueId(id) {
    return id.charAt(0) === "o" ? "v" + id.slice(2) : id; // op3 -> v3, its result
  }

  Object.keys(nodeEls).forEach(function (id) {
    var vid = valueId(id);
    if (!nodes[vid]) return; // the "more nodes" note has no data
    nodeEls[id].addEventListener("mouseenter", function () { describe(vid); });
    nodeEls[id].addEventListener("mouseleave", function () {
      if (selected) describe(selected);
    });
    nodeEls[id].addEventListener("click", function () {
      if (selected && nodeEls[selected]) nodeEls[selected].classList.remove("viz-selected");
      selected = vid;
      if (nodeEls[vid]) nodeEls[vid].classList.add("viz-selected");
      describe(vid);
    });
  });

  function play() {
    if (current >= steps.length) show(0);
    playButton.textContent = "⏸ pause";
    timer = setInterval(function () { show(current + 1); }, Number(speed.value));
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playButton.textContent = "▶ play";
  }

  function toggle() {
    if (timer === null) play();
    else pause();
  }

  speed.addEventListener("change", function () {
    if (timer !== null) { pause(); play(); }
  });
  document.getElementById("viz-first").addEventListener("click", function () { show(0); });
  document.getElementById("viz-prev").addEventListener("click", function () { show(current - 1); });
  document.getElementById("viz-next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("viz-last").addEventListener("click", function () { show(steps.length); });
  playButton.addEventListener("click", toggle);
  // After a click the keys belong to the page again (space plays, not re-clicks).
  document.querySelectorAll("#viz-controls button").forEach(function (b) {
    b.addEventListener("click", function () { b.blur(); });
  });
  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "SELECT" || tag === "INPUT" || tag === "TEXTAREA") return;
    // A focused button does its own job on space and Enter.
    if (tag === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
    var handled = true;
    if (event.key === "ArrowRight") show(current + 1);
    else if (event.key === "ArrowLeft") show(current - 1);
    else if (event.key === " " || event.key === "Spacebar") toggle();
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(steps.length);
    else handled = false;
    if (handled) event.preventDefault();
  });

  // For tests and scripts: the current step number (0 = start) and a way to jump.
  window.vizViewer = { step: function () { return current; }, show: show, steps: steps.length };
  show(0);
})();
