// The live calculator (book/calculator.md): this checkout's mnetcalc, run by Pyodide in the page.
//
// Loaded by the calculator page only, so no other page fetches anything of Pyodide. Every number
// shown comes from Python: the forms write a command line, mnetcalc.browser.run() runs the real
// command line (mnetcalc.cli.main) on it and returns what a terminal of 80 columns would show.
// For a `table` command the same line is run again with `--format json`; the chart and the totals
// are drawn from those numbers. Files, all from this site's _static/:
//   pyodide/            the interpreter and its standard library (copied from node_modules/pyodide
//                       by `make web-assets`)
//   calculator/mnetcalc.zip   mnetcalc/**/*.py of the checkout the book was built from (its
//                             torch-free part: scripts/pack_sources.py)
(function () {
  "use strict";
  var root = document.getElementById("mnetcalc-calculator");
  if (!root) return;
  var STATIC = new URL("./", document.currentScript.src).href;
  var SOURCES_DIR = "/home/pyodide/mnetcalc-src";
  var DEFAULT_COMMAND = "table --alpha 0.25 --res 128";
  var STEPS = 5; // the <progress> element's max: one step per stage of start()

  var statusBox = root.querySelector(".calc-status");
  var progress = root.querySelector(".calc-progress");
  var statusText = root.querySelector(".calc-status-text");
  var networkForm = root.querySelector(".calc-network");
  var layerForm = root.querySelector(".calc-layer");
  var chooseForm = root.querySelector(".calc-choose");
  var calibrationForm = root.querySelector(".calc-calibration");
  var calibrationStatus = root.querySelector(".calc-calibration-status");
  var commandForm = root.querySelector(".calc-command");
  var output = root.querySelector(".calc-output");
  var totals = root.querySelector(".calc-totals");
  var chart = root.querySelector(".calc-chart");
  var caption = root.querySelector(".calc-chart-caption");
  var FORMS = [networkForm, layerForm, chooseForm, calibrationForm, commandForm];
  var browser = null; // the Python module mnetcalc.browser, once loaded
  var calibrationPath = null; // the reader's calibration in Pyodide's file system, once checked
  var SHIPPED_STATUS = calibrationStatus.textContent;
  var runs = 0;

  // "step:ms ...": when each stage of start() began, in ms from navigation start (for
  // benchmarks/calculator_page.py); the last step is the first result shown.
  var stages = [];
  function setStatus(step, text) {
    stages.push(step + ":" + Math.round(performance.now()));
    root.dataset.stages = stages.join(" ");
    progress.value = step;
    statusText.textContent = text;
  }

  function fill(select, values) {
    select.replaceChildren.apply(
      select,
      values.map(function (value) {
        var option = document.createElement("option");
        option.textContent = value;
        return option;
      })
    );
  }

  // -- running a command line ---------------------------------------------------------------------

  // [status, stdout, stderr] of `mnetcalc LINE`, as mnetcalc.browser.run returns them.
  function runPython(line) {
    var result = browser.run(line);
    try {
      return result.toJs();
    } finally {
      result.destroy();
    }
  }

  function commandOf(line) {
    try {
      var words = browser.split(line);
      var list = words.toJs();
      words.destroy();
      return list.filter(function (word) { return word.charAt(0) !== "-"; })[0];
    } catch (error) {
      return undefined; // a line the shell cannot split: run() reports it
    }
  }

  // Run LINE, show what the terminal shows, and for a table draw its chart; keep LINE in the URL.
  // Show what a command printed, and count the run (the tests wait for the count).
  function show(status, text) {
    output.textContent = text;
    output.dataset.status = status;
    runs += 1;
    root.dataset.runs = String(runs);
  }

  function execute(line) {
    var result = runPython(line);
    var status = result[0];
    var report = null;
    if (status === 0 && commandOf(line) === "table") {
      var json = runPython(line + " --format json");
      if (json[0] === 0) report = JSON.parse(json[1]);
    }
    showReport(report);
    if (report) syncNetworkForm(report);
    commandForm.elements.cmd.value = line;
    var url = new URL(location.href);
    url.search = "?cmd=" + encodeURIComponent(line);
    history.replaceState(history.state, "", url);
    show(status, result[1] + result[2]);
  }

  // -- what a table report looks like: totals and a bar chart of mult-adds per layer -------------

  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = { conv_dw: "#2a9d8f", conv_pw: "#264653", fc: "#e76f51" };
  var OTHER_COLOUR = "#8d99ae";

  function svgElement(name, attributes, text) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, attributes[key]);
    });
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function millions(count, digits) {
    return (count / 1e6).toLocaleString("en-US", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  }

  function showReport(report) {
    chart.replaceChildren();
    caption.textContent = "";
    totals.textContent = "";
    delete totals.dataset.multAdds;
    delete totals.dataset.params;
    root.classList.toggle("calc-has-chart", Boolean(report));
    if (!report) return;
    var total = report.total;
    totals.dataset.multAdds = String(total.mult_adds);
    totals.dataset.params = String(total.params);
    totals.textContent =
      "Total: " + total.mult_adds.toLocaleString("en-US") + " mult-adds (" +
      millions(total.mult_adds, 2) + " M), " + total.params.toLocaleString("en-US") +
      " weights (" + millions(total.params, 3) + " M); biases " +
      total.bias_params.toLocaleString("en-US") + " and BatchNorm scale/shift " +
      total.bn_params.toLocaleString("en-US") + " not counted (paper convention).";
    drawChart(report);
  }

  function drawChart(report) {
    var layers = report.layers;
    var biggest = layers.reduce(function (a, b) { return b.mult_adds > a.mult_adds ? b : a; });
    var width = 760, height = 240, left = 56, bottom = 28, top = 10;
    var plotHeight = height - top - bottom;
    var step = (width - left - 4) / layers.length;
    var scale = biggest.mult_adds > 0 ? plotHeight / biggest.mult_adds : 0;
    var svg = svgElement("svg", {
      viewBox: "0 0 " + width + " " + height,
      role: "img",
      class: "calc-chart-svg",
      "aria-label":
        "Bar chart: million mult-adds of each of the " + layers.length + " layers of " +
        report.network + ", in order; the largest is " + biggest.name + " with " +
        millions(biggest.mult_adds, 3) + " million.",
    });
    [0, 0.5, 1].forEach(function (fraction) {
      var y = top + plotHeight * (1 - fraction);
      svg.appendChild(
        svgElement("line", { x1: left, x2: width, y1: y, y2: y, class: "calc-grid" }));
      svg.appendChild(svgElement("text", { x: left - 6, y: y + 4, "text-anchor": "end" },
        millions(biggest.mult_adds * fraction, 2)));
    });
    svg.appendChild(svgElement("text", {
      x: 12, y: top + plotHeight / 2, "text-anchor": "middle",
      transform: "rotate(-90 12 " + (top + plotHeight / 2) + ")",
    }, "million mult-adds"));
    layers.forEach(function (layer, index) {
      var barHeight = layer.mult_adds * scale;
      var bar = svgElement("rect", {
        x: left + index * step + step * 0.1,
        y: top + plotHeight - barHeight,
        width: step * 0.8,
        height: barHeight,
        fill: COLOURS[layer.type] || OTHER_COLOUR,
      });
      bar.appendChild(svgElement("title", {},
        layer.name + " (" + layer.type + "): " + layer.mult_adds.toLocaleString("en-US") +
        " mult-adds, " + layer.params.toLocaleString("en-US") + " weights"));
      svg.appendChild(bar);
    });
    svg.appendChild(svgElement("text", { x: left, y: height - 8 }, layers[0].name));
    svg.appendChild(svgElement("text", { x: width, y: height - 8, "text-anchor": "end" },
      layers[layers.length - 1].name));
    chart.appendChild(svg);
    caption.textContent =
      "Mult-adds of each layer, in order (hover a bar for its name and numbers): " +
      "pointwise 1×1 dark, depthwise light green, fully connected orange, others grey. " +
      "The largest, " + biggest.name + ", does " + millions(biggest.mult_adds, 3) +
      " million of the " + millions(report.total.mult_adds, 2) + " million.";
  }

  // -- the forms write command lines ------------------------------------------------------------

  // What Python's command line says of its networks (mnetcalc.browser.table_choices(), set by
  // start() before the forms are enabled): the networks that take a width multiplier and those
  // that take a variant and each one's variants (its default first), the network costed when the
  // command names none, each network's default number of classes.
  var choices = null;

  function takesAlpha(network) {
    return choices.alpha_networks.indexOf(network) >= 0;
  }

  function takesVariant(network) {
    return choices.variant_networks.indexOf(network) >= 0;
  }

  function networkCommand() {
    var f = networkForm.elements;
    var words = ["table"];
    var network = f.network.value;
    if (network !== choices.default_network) words.push("--network", network);
    if (takesVariant(network) && f.variant.value !== choices.variants[network][0]) {
      words.push("--variant", f.variant.value);
    }
    if (takesAlpha(network)) words.push("--alpha", f.alpha.value.trim() || "1.0");
    if (f.res.value.trim()) words.push("--res", f.res.value.trim());
    var classes = f.classes.value.trim();
    if (classes && classes !== String(choices.default_classes[network])) {
      words.push("--classes", classes);
    }
    return words.join(" ");
  }

  function layerCommand() {
    var f = layerForm.elements;
    return ["layer", "--dk", f.dk.value, "--m", f.m.value, "--n", f.n.value, "--df", f.df.value,
      "--alpha", f.alpha.value, "--rho", f.rho.value].join(" ");
  }

  // The budget form's `choose` command, with the reader's calibration once one is in use.
  function chooseCommand() {
    var f = chooseForm.elements;
    var words = ["choose"];
    if (f.latency.value.trim()) words.push("--latency-ms", f.latency.value.trim());
    if (f.size.value.trim()) words.push("--size-mb", f.size.value.trim());
    if (f.family.value) words.push("--family", f.family.value);
    if (f.quantized.checked) words.push("--quantized");
    if (calibrationPath) words.push("--calibration", calibrationPath);
    return words.join(" ");
  }

  // A calibration file's text (pasted or uploaded): Python checks it as --calibration would and
  // writes it into Pyodide's file system; a bad one shows the command line's one-line error.
  function useCalibration(text) {
    var result = browser.use_calibration(text);
    var checked;
    try {
      checked = result.toJs();
    } finally {
      result.destroy();
    }
    if (checked[0] !== 0) {
      calibrationPath = null;
      calibrationStatus.textContent = "Not used (see the error below); " + SHIPPED_STATUS;
      show(checked[0], checked[1] + checked[2]);
      return;
    }
    calibrationPath = browser.CALIBRATION_FILE;
    calibrationStatus.textContent = "Latencies: your calibration, " + checked[1].trim();
    execute(chooseCommand());
  }

  async function calibrationText() {
    var f = calibrationForm.elements;
    var file = f.file.files[0];
    if (!file) return f.text.value;
    // No calibration is larger: read one byte more than the limit, and Python says it is too big.
    return file.slice(0, browser.MAX_CALIBRATION_BYTES + 1).text();
  }

  // The variant list of the network chosen: each network its own, its default first (a variant
  // the new network also has is kept).
  function fillVariants() {
    var f = networkForm.elements;
    var own = choices.variants[f.network.value] || [];
    var wanted = f.variant.value;
    fill(f.variant, own);
    if (own.indexOf(wanted) >= 0) f.variant.value = wanted;
  }

  function enableMobilenetOptions() {
    var f = networkForm.elements;
    f.alpha.disabled = !takesAlpha(f.network.value);
    f.variant.disabled = !takesVariant(f.network.value);
  }

  // The form follows the report Python returned (e.g. a network's default resolution).
  function syncNetworkForm(report) {
    var f = networkForm.elements;
    f.network.value = report.network;
    fillVariants();
    if (report.variant != null) f.variant.value = report.variant;
    if (report.alpha != null) f.alpha.value = String(report.alpha);
    f.res.value = String(report.resolution);
    f.classes.value = String(report.num_classes);
    enableMobilenetOptions();
  }

  function wireForms() {
    networkForm.addEventListener("change", function (event) {
      if (event.target.name === "network") {
        networkForm.elements.res.value = ""; // the network's own default resolution
        networkForm.elements.classes.value = ""; // and classes
        fillVariants();
        enableMobilenetOptions();
      }
      execute(networkCommand());
    });
    networkForm.addEventListener("submit", function (event) {
      event.preventDefault();
      execute(networkCommand());
    });
    layerForm.addEventListener("change", function () { execute(layerCommand()); });
    layerForm.addEventListener("submit", function (event) {
      event.preventDefault();
      execute(layerCommand());
    });
    chooseForm.addEventListener("change", function () { execute(chooseCommand()); });
    chooseForm.addEventListener("submit", function (event) {
      event.preventDefault();
      execute(chooseCommand());
    });
    calibrationForm.addEventListener("submit", function (event) {
      event.preventDefault();
      calibrationText().then(useCalibration);
    });
    calibrationForm.elements.file.addEventListener("change", function () {
      calibrationText().then(useCalibration);
    });
    calibrationForm.elements.shipped.addEventListener("click", function () {
      calibrationPath = null;
      calibrationForm.elements.file.value = "";
      calibrationStatus.textContent = SHIPPED_STATUS;
      execute(chooseCommand());
    });
    commandForm.addEventListener("submit", function (event) {
      event.preventDefault();
      execute(commandForm.elements.cmd.value.trim());
    });
    FORMS.forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (element) { element.disabled = false; });
    });
    enableMobilenetOptions();
  }

  // -- start-up: Pyodide, then mnetcalc, then the first command ---------------------------------

  async function start() {
    FORMS.forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (element) { element.disabled = true; });
    });
    // Opened from disk (file://, a built site's index.html double-clicked), a browser refuses the
    // module import and the fetches below ("Failed to fetch dynamically imported module"): say in
    // one line how to serve the site instead.
    if (location.protocol === "file:") {
      setStatus(0, "Opened as a file, this page cannot load Python. Serve the site: " +
        "python -m http.server -d _build/html (in the folder that holds _build), then open " +
        "http://localhost:8000/book/calculator.html");
      root.dataset.error = "file";
      return;
    }
    if (typeof WebAssembly !== "object") {
      setStatus(0, "This browser has no WebAssembly, which the calculator needs.");
      return;
    }
    var wanted = new URLSearchParams(location.search).get("cmd");
    setStatus(1, "Loading Python (Pyodide: interpreter and standard library, about 13 MB)…");
    var sources = fetch(STATIC + "calculator/mnetcalc.zip").then(function (response) {
      if (!response.ok) throw new Error("mnetcalc.zip: HTTP " + response.status);
      return response.arrayBuffer();
    });
    var module = await import(STATIC + "pyodide/pyodide.mjs");
    setStatus(2, "Starting Python…");
    var pyodide = await module.loadPyodide({ indexURL: STATIC + "pyodide/" });
    setStatus(3, "Unpacking mnetcalc…");
    pyodide.unpackArchive(await sources, "zip", { extractDir: SOURCES_DIR });
    setStatus(4, "Importing mnetcalc…");
    pyodide.runPython("import sys; sys.path.insert(0, " + JSON.stringify(SOURCES_DIR) + ")");
    browser = pyodide.pyimport("mnetcalc.browser");
    var choicesProxy = browser.table_choices();
    choices = choicesProxy.toJs({ dict_converter: Object.fromEntries });
    choicesProxy.destroy();
    fill(networkForm.elements.network, choices.network);
    fillVariants();
    var familiesProxy = browser.choose_families();
    familiesProxy.toJs().forEach(function (family) {
      var option = document.createElement("option");
      option.textContent = family;
      chooseForm.elements.family.appendChild(option);
    });
    familiesProxy.destroy();
    wireForms();
    execute(wanted === null ? DEFAULT_COMMAND : wanted);
    setStatus(STEPS, "Python " + pyodide.runPython("import sys; sys.version.split()[0]") +
      " (Pyodide " + pyodide.version + ") and mnetcalc are running in this page.");
    statusBox.classList.add("calc-ready");
  }

  start().catch(function (error) {
    setStatus(0, "The calculator could not start: " + error);
    root.dataset.error = String(error);
  });
})();
