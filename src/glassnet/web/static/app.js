// The glassnet playground page: sends the settings and the controls to the server (plain fetch), draws every
// frame the server pushes over the WebSocket. The pictures (loss chart, network diagram) arrive as SVG that
// glassnet.viz drew and escaped; everything else is put in with textContent. Nothing is fetched from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);
const CHOICES = {
  lr: [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
  "batch-size": [0, 1, 4, 10, 32, 100],
  dropout: [0, 0.1, 0.2, 0.5],
  "weight-decay": [0, 0.0001, 0.001, 0.01, 0.1],
};
const PRESETS = [
  {name: "The tutorial's 3-4-1 network", settings: {tutorial: true},
   lines: "The classic 11-line network on XOR: sigmoid units, no biases (x3 = 1 plays that part), seed 1, lr 1.\n" +
          "Press step: the panel below names each array of the next step as the tutorial does (l1, l2_delta, syn0)."},
  {name: "XOR needs a hidden layer", settings: {dataset: "xor", hidden: [], lr: 0.1, batch_size: 0, val_split: 0},
   lines: "With no hidden layer the network can draw one straight line only, and no straight line separates XOR's\n" +
          "corners: run it and the loss stalls. Then press + layer, run again, and watch it fall."},
  {name: "XOR with a hidden layer", settings: {dataset: "xor", hidden: [4], lr: 0.1, batch_size: 0, val_split: 0},
   lines: "Four hidden units each draw a line (see their heat maps); the output combines them into XOR.\n" +
          "Step through the first epochs and hover the weights to see them change."},
  {name: "Too high a learning rate", settings: {dataset: "moons", hidden: [8, 8], optimizer: "sgd", lr: 10},
   lines: "Each step of size 10 overshoots the valley: the loss jumps about or blows up (the page then says at\n" +
          "which epoch). Choose 0.03, press reset (the same starting weights) and run again."},
  {name: "Dead ReLUs", settings: {dataset: "circles", hidden: [8, 8], activation: "relu", lr: 1},
   lines: "A learning rate of 1 pushes many ReLU units below zero for every input: their heat maps go blank\n" +
          "and stay so, because a unit that is always 0 gets a zero gradient. Compare leaky_relu."},
  {name: "Spirals: depth is quicker", settings: {dataset: "spirals", hidden: [16, 16, 16], lr: 0.01},
   lines: "Three layers of 16 wind around the two spirals in about a hundred epochs; one layer of 16 takes\n" +
          "about 800 (try it). " +
          "Watch the heat maps: straight edges in the first layer, curves in the last."},
  {name: "Iris: three classes", settings: {dataset: "iris", hidden: [8], features: [2, 3], val_split: 0.2},
   lines: "Four measurements, three species: the boundary shows petal length against petal width, with the\n" +
          "sepal measurements held at their means. Setosa separates at once; the other two take longer."},
];
let setup = null;  // the server's description of the current run
let settings = null;  // the settings the page shows (the server's, once it confirmed them)
let frame = null;
let hovered = null;  // what the pointer is on: ["w", layer, from, to] or ["u", column, unit]
const counts = {frames: 0, since: performance.now(), shown: 0, costs: []};
window.glassnet = counts;  // (tests and benchmarks/playground.py read how many frames arrived, and their cost)

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = String(value);
  o.textContent = text === undefined ? String(value) : text;
  select.append(o);
}

function fill(select, values, texts) {
  const keep = select.value;
  select.replaceChildren();
  values.forEach((v, i) => option(select, v, texts ? texts[i] : undefined));
  if (values.map(String).includes(keep)) select.value = keep;
}

let calls = 0;  // (requests sent and errors shown so far: an answer clears the error only if nothing came after)

function showError(text) {  // an error of the page's own: a late answer to an earlier request leaves it shown
  calls += 1;
  $("error").textContent = text;
}

async function call(path, options) {
  const ticket = ++calls;
  let answer;
  try {
    const response = await fetch(path, options);
    answer = await response.json();
  } catch (err) {
    answer = {error: "glassnet playground: error: the server did not answer (" + err + ")"};
  }
  // A slow answer (pause waits for the epoch under way) must not wipe the error of a request sent after it.
  if (answer.error) $("error").textContent = answer.error;
  else if (ticket === calls) $("error").textContent = "";
  return answer;
}

function post(path, body) {
  return call(path, {method: "POST", headers: {"content-type": "application/json"},
                     body: body === undefined ? "" : JSON.stringify(body)});
}

function send(changes) {
  const next = Object.assign({}, settings, changes);
  return post("/api/setup", next);
}

// --- the settings <-> the controls and the URL ---------------------------------------------------------------

const NUMBERS = ["lr", "batch_size", "dropout", "weight_decay", "seed", "val_split", "noise"];

function toHash(s) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(s)) {
    if (key === "dataset" && value === "upload") continue;  // (a file cannot travel in a URL)
    if (key === "target" && s.dataset === "upload") continue;
    if (value === null) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return "#" + params.toString();
}

function fromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const s = {};
  for (const [key, value] of params) {
    if (key === "hidden" || key === "features") s[key] = value ? value.split(",").map(Number) : [];
    else if (NUMBERS.includes(key)) s[key] = Number(value);
    else if (key === "tutorial") s[key] = value === "true";
    else s[key] = value;
  }
  return s;
}

function showSettings() {
  const s = settings;
  fill($("dataset"), setup.datasets);
  $("dataset").value = s.dataset;
  fill($("target"), setup.columns);
  $("target").value = s.target;
  for (const [k, id] of [[0, "feature-x"], [1, "feature-y"]]) {
    fill($(id), setup.numeric.map((_, i) => i), setup.numeric);
    $(id).value = String(Math.min(s.features[k], Math.max(0, setup.numeric.length - 1)));
  }
  fill($("activation"), setup.activations);
  $("activation").value = s.activation;
  $("optimizer").value = s.optimizer;
  fill($("schedule"), setup.schedules);
  $("schedule").value = s.schedule;
  for (const [id, key] of [["lr", "lr"], ["batch-size", "batch_size"], ["dropout", "dropout"],
                           ["weight-decay", "weight_decay"]]) {
    const values = CHOICES[id].includes(s[key]) ? CHOICES[id] : [...CHOICES[id], s[key]].sort((a, b) => a - b);
    fill($(id), values, values.map((v) => id === "batch-size" && v === 0 ? "all rows" : String(v)));
    $(id).value = String(s[key]);
  }
  const noise = s.noise === null ? setup.noise_default : s.noise;
  $("noise").disabled = setup.noise_default === null;
  $("noise").value = noise === null ? 0 : noise;
  $("noise-value").textContent = noise === null ? "(generated sets only)" : String(noise);
  $("val-split").value = s.val_split;
  $("val-split-value").textContent = String(s.val_split);
  $("seed").textContent = String(s.seed);
  $("tutorial").checked = s.tutorial;
  for (const id of ["add-layer", "remove-layer", "activation", "optimizer", "lr", "schedule", "batch-size", "dropout",
                    "weight-decay", "target", "val-split", "noise"]) {
    if (s.tutorial) $(id).disabled = true;
    else if (id !== "noise") $(id).disabled = false;
  }
  showLayers();
  const rows = setup.rows;
  $("data-note").textContent = `${setup.source}: ${rows[0]} training rows, ${rows[1]} validation rows; ` +
    (setup.task === "classification" ? `${setup.classes.length} classes` : "regression") +
    `. Network: ${setup.summary}.`;
  history.replaceState(null, "", toHash(s));
}

function showLayers() {
  const box = $("layers");
  box.replaceChildren();
  settings.hidden.forEach((n, i) => {
    const row = document.createElement("div");
    row.className = "layer-row";
    const less = document.createElement("button");
    less.textContent = "−";
    less.disabled = settings.tutorial;
    less.addEventListener("click", () => resize(i, -1));
    const more = document.createElement("button");
    more.textContent = "+";
    more.disabled = settings.tutorial;
    more.addEventListener("click", () => resize(i, +1));
    const text = document.createElement("span");
    text.textContent = ` hidden layer ${i + 1}: ${n} unit${n > 1 ? "s" : ""} `;
    row.append(less, text, more);
    box.append(row);
  });
  if (!settings.hidden.length) box.textContent = "no hidden layer: inputs go straight to the output";
}

function resize(i, change) {
  const hidden = settings.hidden.slice();
  hidden[i] += change;
  if (hidden[i] > setup.limits.units) {
    showError(`at most ${setup.limits.units} units a layer in the playground (as many as the diagram draws)`);
    return;
  }
  if (hidden[i] < 1) hidden.splice(i, 1);
  send({hidden});
}

// --- frames ----------------------------------------------------------------------------------------------------

function number(v) {
  return v === null || v === undefined ? "–" : Number(v).toPrecision(4);
}

function draw(f) {
  frame = f;
  counts.frames += 1;
  counts.costs = [...counts.costs.slice(-499), f.build_ms];
  if (f.setup && JSON.stringify(f.setup) !== JSON.stringify(setup)) {
    setup = f.setup;
    settings = Object.assign({}, setup.settings);
    showSettings();
  }
  $("epoch").textContent = String(f.epoch);
  $("loss").textContent = number(f.loss);
  $("val-loss").textContent = number(f.val_loss);
  if (f.error) $("error").textContent = f.error;
  $("run").disabled = f.running;
  $("pause").disabled = !f.running;
  $("chart").innerHTML = f.chart;  // SVG drawn (and escaped) by glassnet.viz.svg
  $("network").innerHTML = f.network;  // SVG drawn (and escaped) by glassnet.viz.report.network_svg
  placeUnits(f.units);
  showSteps(f.steps);
  if (f.boundary.png) $("boundary").src = f.boundary.png;
  $("boundary-note").textContent = f.boundary.note;
  explain();
}

function placeUnits(units) {
  // each unit's heat map is one square of a strip: shown through a window (a nested svg) over its own square
  const NS = "http://www.w3.org/2000/svg", size = 24, n = units.ids.length, side = units.size;
  units.ids.forEach((id, k) => {
    const circle = $("network").querySelector(`circle[data-unit="${id}"]`);
    if (!circle) return;
    const view = document.createElementNS(NS, "svg");
    const attributes = {x: Number(circle.getAttribute("cx")) - size / 2, y: Number(circle.getAttribute("cy")) - size / 2,
                        width: size, height: size, viewBox: `${k * side} 0 ${side} ${side}`};
    for (const [key, value] of Object.entries(attributes)) view.setAttribute(key, String(value));
    view.dataset.unit = id;
    const image = document.createElementNS(NS, "image");
    for (const [key, value] of [["width", n * side], ["height", side], ["href", units.png],
                                ["preserveAspectRatio", "none"]]) image.setAttribute(key, String(value));
    image.dataset.unit = id;
    view.append(image);
    circle.after(view);
    circle.setAttribute("r", "13");
  });
}

function explain() {
  if (!hovered || !frame) return;
  const layers = frame.layers;
  let text;
  if (hovered[0] === "w") {
    const [, layer, from, to] = hovered;
    const line = $("network").querySelector(`line[data-layer="${layer}"][data-from="${from}"][data-to="${to}"]`);
    const note = layers[String(layer + 1)];
    text = `${note.weights}[${from}, ${to}] = ${line ? line.dataset.weight : "?"}: the weight from unit ${from} of ` +
           `column ${layer} to unit ${to} of column ${layer + 1} (blue positive, vermilion negative, thicker larger)\n` +
           note.lines.join("\n");
  } else {
    const [, column, unit] = hovered;
    const note = layers[String(column)];
    if (column === 0) {
      const plane = frame.boundary.features ? ` over the plane of ${frame.boundary.features.join(" and ")}` : "";
      text = `${note.unit}[:, ${unit}]: input ${unit}` + (plane ? `\nits heat map: this input${plane}` : "");
    } else {
      const bias = note.bias.length > unit ? `, bias ${Number(note.bias[unit]).toPrecision(4)}` : "";
      text = `${note.unit}[:, ${unit}]: unit ${unit} of layer ${column} (${note.summary})${bias}\n` +
             note.lines.join("\n") + "\nits heat map: its output over the boundary's plane " +
             "(blue positive, vermilion negative)";
    }
  }
  $("hover").textContent = text;
}

function showSteps(steps) {
  $("steps-view").hidden = !steps.length;
  if (!steps.length) return;
  $("steps").textContent = steps.map((s) => `${s.name}: ${s.formula}    ${s.shapes}\n` +
    (s.numpy ? `  NumPy: ${s.numpy}\n` : "") + `  = ${JSON.stringify(s.value)}`).join("\n");
}

function hover(event) {
  const t = event.target;
  if (t.dataset && t.dataset.weight !== undefined) {
    hovered = ["w", Number(t.dataset.layer), Number(t.dataset.from), Number(t.dataset.to)];
  } else if (t.dataset && t.dataset.unit !== undefined) {
    const [c, u] = t.dataset.unit.split(",").map(Number);
    hovered = ["u", c, u];
  } else {
    return;
  }
  explain();
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  ws.onmessage = (event) => draw(JSON.parse(event.data));
  ws.onclose = () => setTimeout(connect, 1000);
}

function rate() {
  // frames come while something changes: the rate means something while the network trains
  const now = performance.now();
  const running = frame && frame.running;
  $("rate").textContent = running ? ((counts.frames - counts.shown) / ((now - counts.since) / 1000)).toFixed(1) : "–";
  counts.shown = counts.frames;
  counts.since = now;
}

// --- wiring ----------------------------------------------------------------------------------------------------

async function upload() {
  const file = $("upload").files[0];
  if (!file) return;
  const query = new URLSearchParams({name: file.name, sep: $("sep").value, decimal: $("decimal").value,
                                     na_values: $("na-values").value});
  await call("/api/upload?" + query.toString(), {method: "POST", body: file});
  $("upload").value = "";
}

function wire() {
  for (const action of ["run", "pause", "step", "reset"]) {
    $(action).addEventListener("click", () => post(`/api/control/${action}`));
  }
  $("new-seed").addEventListener("click", () => post("/api/control/seed"));
  $("dataset").addEventListener("change", (e) => send({dataset: e.target.value, target: "", noise: null,
                                                        features: [0, 1], tutorial: false}));
  $("tutorial").addEventListener("change", (e) => send({tutorial: e.target.checked}));
  $("target").addEventListener("change", (e) => send({target: e.target.value}));
  $("feature-x").addEventListener("change", (e) => send({features: [Number(e.target.value), settings.features[1]]}));
  $("feature-y").addEventListener("change", (e) => send({features: [settings.features[0], Number(e.target.value)]}));
  $("activation").addEventListener("change", (e) => send({activation: e.target.value}));
  $("optimizer").addEventListener("change", (e) => send({optimizer: e.target.value}));
  $("schedule").addEventListener("change", (e) => send({schedule: e.target.value}));
  $("lr").addEventListener("change", (e) => send({lr: Number(e.target.value)}));
  $("batch-size").addEventListener("change", (e) => send({batch_size: Number(e.target.value)}));
  $("dropout").addEventListener("change", (e) => send({dropout: Number(e.target.value)}));
  $("weight-decay").addEventListener("change", (e) => send({weight_decay: Number(e.target.value)}));
  $("noise").addEventListener("change", (e) => send({noise: Number(e.target.value)}));
  $("val-split").addEventListener("change", (e) => send({val_split: Number(e.target.value)}));
  $("upload").addEventListener("change", upload);
  $("add-layer").addEventListener("click", () => {
    if (settings.hidden.length >= setup.limits.layers) {
      showError(`at most ${setup.limits.layers} hidden layers in the playground, so that it stays live`);
      return;
    }
    send({hidden: [...settings.hidden, 4]});
  });
  $("remove-layer").addEventListener("click", () => send({hidden: settings.hidden.slice(0, -1)}));
  PRESETS.forEach((p, i) => option($("preset"), i, p.name));
  $("preset").addEventListener("change", async (e) => {
    const preset = PRESETS[Number(e.target.value)];
    if (!preset) return;
    const base = {target: "", features: [0, 1], noise: null, activation: "tanh", optimizer: "adam", lr: 0.03,
                  batch_size: 10, dropout: 0, weight_decay: 0, schedule: "constant", val_split: 0.3, tutorial: false};
    const answer = await send(Object.assign(base, preset.settings));
    $("commentary").textContent = answer.error ? "" : preset.lines;
  });
  $("network").addEventListener("mouseover", hover);
  window.addEventListener("hashchange", () => send(fromHash(location.hash)));  // an address typed or pasted
  setInterval(rate, 1000);
}

wire();
const shared = fromHash(location.hash);
if (Object.keys(shared).length) {
  // a shared setup: apply it once the first frame told us the server's defaults
  const start = () => (settings ? send(shared) : setTimeout(start, 50));
  start();
}
connect();
