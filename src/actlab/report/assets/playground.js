/* actlab lab: the playground. A small MLP trained live on 2-D data with any activation of the registry.

   Reads window.ACTLAB_PLAYGROUND (activation names and parameter ranges) and window.ACTLAB_PG_FNS (f and f'
   generated at build time from the SymPy formulas) from data/playground.js. Plain JavaScript, no build step.
   The training itself (data, network, diagnostics) is assets/playground-train.js. */
(function (global) {
  "use strict";

  var DATA = global.ACTLAB_PLAYGROUND || {activations: []};
  var FNS = global.ACTLAB_PG_FNS || {};
  var META = {};
  DATA.activations.forEach(function (a) { META[a.name] = a; });
  var NAMES = DATA.activations.map(function (a) { return a.name; });

  var T = global.ActlabTrainer, Trainer = T.Trainer, FEATURES = T.FEATURES, FEATURE_NAMES = T.FEATURE_NAMES;
  var DATASETS = T.DATASETS, INITS = T.INITS, REGS = T.REGS, DOMAIN = T.DOMAIN, clamp = T.clamp;
  var makeData = T.makeData, mulberry32 = T.mulberry32;
  var GRID = 40;  // neuron maps and the output surface: a GRID x GRID lattice over the plane

  /* ---- the playground's state ----------------------------------------------------------------------------- */
  var cfg = {activation: NAMES.indexOf("tanh") >= 0 ? "tanh" : NAMES[0], params: {}, dataset: "circle",
             layers: [8, 8], lr: 0.1, batch: 10, seed: 1, init: "glorot", reg: "none", regRate: 0, noise: 0,
             ratio: 50, features: ["x", "y"]};
  var S = null;  // the current Trainer

  function defaults(name) {
    var p = {};
    (META[name] ? META[name].params : []).forEach(function (q) { p[q.name] = q.default; });
    return p;
  }
  function boundActivation(name, params) {
    var p = defaults(name);
    Object.keys(params || {}).forEach(function (k) { p[k] = params[k]; });
    Object.freeze(p);
    return {f: FNS[name].f, df: FNS[name].df, p: p};
  }

  function reset() {
    S = new Trainer(cfg, boundActivation(cfg.activation, cfg.params));
  }
  function step(n) { return S.step(n === undefined ? 1 : n); }
  function diagnose() { return S.diag || S.diagnose(); }

  function state() {
    return {loss: S.loss, testLoss: S.testLoss, steps: S.steps, layers: diagnose().map(function (d) {
      return {dead: d.dead, saturated: d.saturated, mean: d.mean, gradNorm: d.gradNorm};
    })};
  }

  /* ---- configuration: checked, with the allowed values in every error --------------------------------------- */
  function fail(key, expected, got) {
    throw new Error("actlabPlayground.config: '" + key + "' must be " + expected + "; got " + JSON.stringify(got));
  }
  function num(key, v, lo, hi) {
    if (typeof v !== "number" || !isFinite(v) || v < lo || v > hi) fail(key, "a number in [" + lo + ", " + hi + "]", v);
    return v;
  }
  var SETTERS = {
    activation: function (v) {
      if (NAMES.indexOf(v) < 0) fail("activation", "one of " + NAMES.join(", "), v);
      if (v !== cfg.activation) cfg.params = {};
      cfg.activation = v;
    },
    params: function (v) {
      if (!v || typeof v !== "object") fail("params", "an object of parameter values", v);
      var known = defaults(cfg.activation);
      Object.keys(v).forEach(function (k) {
        if (!(k in known)) fail("params", "parameters of " + cfg.activation + " (" + (Object.keys(known).join(", ") || "none") + ")", k);
        num("params." + k, v[k], -1e6, 1e6);
      });
      cfg.params = Object.assign({}, cfg.params, v);
    },
    dataset: function (v) { if (DATASETS.indexOf(v) < 0) fail("dataset", "one of " + DATASETS.join(", "), v); cfg.dataset = v; },
    layers: function (v) {
      if (!Array.isArray(v) || v.length < 1 || v.length > 6 || v.some(function (w) { return w !== (w | 0) || w < 1 || w > 16; }))
        fail("layers", "an array of 1-6 hidden layer widths, each an integer in 1-16", v);
      cfg.layers = v.slice();
    },
    lr: function (v) { cfg.lr = num("lr", v, 0, 100); },
    batch: function (v) { cfg.batch = num("batch", v, 1, 500) | 0; },
    seed: function (v) { cfg.seed = num("seed", v, 0, 4294967295) >>> 0; },
    init: function (v) { if (INITS.indexOf(v) < 0) fail("init", "one of " + INITS.join(", "), v); cfg.init = v; },
    reg: function (v) { if (REGS.indexOf(v) < 0) fail("reg", "one of " + REGS.join(", "), v); cfg.reg = v; },
    regRate: function (v) { cfg.regRate = num("regRate", v, 0, 100); },
    noise: function (v) { cfg.noise = num("noise", v, 0, 50); },
    ratio: function (v) { cfg.ratio = num("ratio", v, 10, 90); },
    features: function (v) {
      if (!Array.isArray(v) || !v.length || v.some(function (f) { return FEATURE_NAMES.indexOf(f) < 0; }))
        fail("features", "a non-empty array of " + FEATURE_NAMES.join(", "), v);
      cfg.features = FEATURE_NAMES.filter(function (f) { return v.indexOf(f) >= 0; });
    }
  };
  // Settings that only change the optimiser apply to the running network; the rest rebuild it from the seed.
  var LIVE = {lr: 1, batch: 1, reg: 1, regRate: 1};

  function configure(obj) {
    if (!obj || typeof obj !== "object") throw new Error("actlabPlayground.config expects an object; got " + JSON.stringify(obj));
    var keys = Object.keys(obj), rebuild = false;
    keys.forEach(function (k) {
      if (!SETTERS[k]) fail(k, "a known setting (" + Object.keys(SETTERS).join(", ") + ")", obj[k]);
    });
    if ("activation" in obj) SETTERS.activation(obj.activation);  // first: params are checked against it
    keys.forEach(function (k) {
      if (k !== "activation") SETTERS[k](obj[k]);
      if (!LIVE[k]) rebuild = true;
    });
    if (rebuild) reset();
    syncControls();
    writeHash();
    redraw();
  }

  /* ---- state in the URL ------------------------------------------------------------------------------------- */
  function writeHash() {
    var parts = ["activation=" + cfg.activation, "dataset=" + cfg.dataset, "layers=" + cfg.layers.join(","),
                 "lr=" + cfg.lr, "batch=" + cfg.batch, "seed=" + cfg.seed, "init=" + cfg.init, "reg=" + cfg.reg,
                 "regRate=" + cfg.regRate, "noise=" + cfg.noise, "ratio=" + cfg.ratio,
                 "features=" + cfg.features.join(",")];
    var p = Object.keys(cfg.params).map(function (k) { return k + ":" + cfg.params[k]; });
    if (p.length) parts.push("params=" + p.join(","));
    try { global.history.replaceState(null, "", "#" + parts.join("&")); } catch (e) { /* file:// may refuse */ }
  }
  function readHash() {
    var h = global.location.hash.replace(/^#/, "");
    if (!h) return;
    var obj = {};
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = decodeURIComponent(kv.slice(0, i)), v = decodeURIComponent(kv.slice(i + 1));
      if (i < 0 || !SETTERS[k]) return;
      if (k === "layers") obj[k] = v.split(",").map(Number);
      else if (k === "features") obj[k] = v.split(",");
      else if (k === "params") {
        obj[k] = {};
        v.split(",").forEach(function (pv) { var j = pv.indexOf(":"); obj[k][pv.slice(0, j)] = Number(pv.slice(j + 1)); });
      } else if (["activation", "dataset", "init", "reg"].indexOf(k) >= 0) obj[k] = v;
      else obj[k] = Number(v);
    });
    try { configure(obj); } catch (e) { console.warn("ignored the URL's settings: " + e.message); }
  }

  /* ---- drawing -------------------------------------------------------------------------------------------- */
  var NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];
  function colour(v, out, off) {  // v in [-1, 1] -> orange / light grey / blue, as TensorFlow Playground
    if (!(v === v)) { out[off] = 200; out[off + 1] = 0; out[off + 2] = 200; out[off + 3] = 255; return; }
    v = clamp(v, -1, 1);
    var c = v < 0 ? NEG : POS, t = Math.abs(v);
    out[off] = MID[0] + (c[0] - MID[0]) * t; out[off + 1] = MID[1] + (c[1] - MID[1]) * t;
    out[off + 2] = MID[2] + (c[2] - MID[2]) * t; out[off + 3] = 255;
  }

  var grid = null;  // the neurons' outputs over a GRID x GRID lattice of the plane, one Float64Array per neuron
  var scratch = document.createElement("canvas");
  scratch.width = scratch.height = GRID;
  var scratchCtx = scratch.getContext("2d"), scratchImg = scratchCtx.createImageData(GRID, GRID);

  function computeGrid() {
    var net = S.net, sizes = net.sizes, maps = [], l, j, gi, gj;
    for (l = 0; l < sizes.length; l++) {
      var layer = [];
      for (j = 0; j < sizes[l]; j++) layer.push(grid && grid[l] && grid[l][j] ? grid[l][j] : new Float64Array(GRID * GRID));
      maps.push(layer);
    }
    var nf = S.nf, a0 = net.a[0];
    for (gi = 0; gi < GRID; gi++) {
      var y = DOMAIN - (gi + 0.5) / GRID * 2 * DOMAIN;
      for (gj = 0; gj < GRID; gj++) {
        var x = -DOMAIN + (gj + 0.5) / GRID * 2 * DOMAIN, cell = gi * GRID + gj;
        for (var k = 0; k < nf; k++) a0[k] = FEATURES[S.features[k]](x, y);
        net.forward(S.act);
        for (l = 0; l < sizes.length; l++) {
          var a = net.a[l];
          for (j = 0; j < sizes[l]; j++) maps[l][j][cell] = a[j];
        }
      }
    }
    grid = maps;
  }

  function mapToScratch(values, scale) {
    var d = scratchImg.data;
    for (var c = 0; c < values.length; c++) colour(values[c] * scale, d, 4 * c);
    scratchCtx.putImageData(scratchImg, 0, 0);
    return scratch;
  }

  function scaleOf(values) {  // hidden maps are normalised by their largest |value| so that shape is visible
    var m = 0;
    for (var i = 0; i < values.length; i++) { var a = Math.abs(values[i]); if (a > m) m = a; }
    return m > 1 ? 1 / m : 1;
  }

  function fitCanvas(canvas, cssHeight) {
    var w = canvas.clientWidth || canvas.width, ratio = global.devicePixelRatio || 1;
    var h = cssHeight || w;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio);
      canvas.style.height = h + "px";
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return {ctx: ctx, w: w, h: h};
  }

  var frames = 0;
  function drawNet(diag) {
    var canvas = document.getElementById("pg-net");
    if (!canvas) return;
    var net = S.net, sizes = net.sizes, cols = sizes.length;
    var width = canvas.clientWidth || 600, maxUnits = Math.max.apply(null, sizes);
    var pad = 40, colW = (width - pad) / cols, box = Math.max(14, Math.min(40, colW * 0.42, 520 / maxUnits - 6));
    var gap = Math.max(4, box * 0.25), height = maxUnits * (box + gap) + 28;
    var fit = fitCanvas(canvas, height), ctx = fit.ctx;
    ctx.clearRect(0, 0, fit.w, fit.h);
    function pos(l, j) {
      var n = sizes[l], top = 22 + (maxUnits - n) * (box + gap) / 2;
      return [pad + colW * (l + 0.5) - box / 2, top + j * (box + gap)];
    }
    var l, j, i, maxW = 0;
    for (l = 0; l < net.L; l++) for (i = 0; i < net.W[l].length; i++) maxW = Math.max(maxW, Math.abs(net.W[l][i]));
    for (l = 0; l < net.L; l++) {  // weights under the maps
      var nin = sizes[l];
      for (j = 0; j < sizes[l + 1]; j++) {
        var q = pos(l + 1, j);
        for (i = 0; i < nin; i++) {
          var w = net.W[l][j * nin + i], p0 = pos(l, i);
          if (!(w === w)) continue;
          ctx.strokeStyle = w > 0 ? "rgba(8,119,189,0.8)" : "rgba(230,120,20,0.8)";
          ctx.lineWidth = Math.max(0.5, 6 * Math.abs(w) / (maxW || 1));
          ctx.beginPath(); ctx.moveTo(p0[0] + box, p0[1] + box / 2); ctx.lineTo(q[0], q[1] + box / 2); ctx.stroke();
        }
      }
    }
    ctx.imageSmoothingEnabled = true;
    ctx.font = "12px system-ui, sans-serif"; ctx.fillStyle = "#1d2330"; ctx.textAlign = "center";
    for (l = 0; l < cols; l++) {
      var narrow = colW < 75;  // phone width: short column titles that cannot overlap
      var label = l === 0 ? (narrow ? "in" : "inputs") : (l === cols - 1 ? (narrow ? "out" : "output") : (narrow ? "L" : "layer ") + l);
      ctx.fillText(label, pad + colW * (l + 0.5), 13);
      for (j = 0; j < sizes[l]; j++) {
        var pj = pos(l, j), vals = grid[l][j];
        ctx.drawImage(mapToScratch(vals, l === 0 || l === cols - 1 ? 1 : scaleOf(vals)),
                      pj[0], pj[1], box, box);
        var dead = diag && l > 0 && l < cols - 1 && !diag[l - 1].units[j];
        ctx.lineWidth = dead ? 3 : 1;
        ctx.strokeStyle = dead ? "#b3261e" : "#5b6474";
        ctx.strokeRect(pj[0] + 0.5, pj[1] + 0.5, box - 1, box - 1);
        if (dead) {
          ctx.beginPath(); ctx.moveTo(pj[0], pj[1]); ctx.lineTo(pj[0] + box, pj[1] + box);
          ctx.moveTo(pj[0] + box, pj[1]); ctx.lineTo(pj[0], pj[1] + box); ctx.stroke();
        }
        if (l === 0) {
          ctx.textAlign = "right"; ctx.fillStyle = "#1d2330";
          ctx.fillText(S.features[j].replace("2", "\u00b2").replace("sin", "sin "), pj[0] - 4, pj[1] + box / 2 + 4);
          ctx.textAlign = "center";
        }
      }
    }
    canvas.dataset.units = String(sizes.reduce(function (s, v) { return s + v; }, 0));
  }

  function drawSurface() {
    var canvas = document.getElementById("pg-surface");
    if (!canvas) return;
    var fit = fitCanvas(canvas), ctx = fit.ctx, out = grid[grid.length - 1][0];
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(mapToScratch(out, 1), 0, 0, fit.w, fit.h);
    var showTest = (document.getElementById("pg-show-test") || {}).checked;
    function dots(indices, stroke) {
      for (var t = 0; t < indices.length; t++) {
        var i = indices[t], px = (S.data.x[i] + DOMAIN) / (2 * DOMAIN) * fit.w, py = (DOMAIN - S.data.y[i]) / (2 * DOMAIN) * fit.h;
        var c = [0, 0, 0, 0];
        colour(S.data.label[i], c, 0);
        ctx.fillStyle = "rgb(" + (c[0] * 0.8 | 0) + "," + (c[1] * 0.8 | 0) + "," + (c[2] * 0.8 | 0) + ")";
        ctx.beginPath(); ctx.arc(px, py, 3.2, 0, 2 * Math.PI); ctx.fill();
        ctx.lineWidth = 1; ctx.strokeStyle = stroke; ctx.stroke();
      }
    }
    dots(S.train, "#ffffff");
    if (showTest) dots(S.test, "#000000");
    canvas.dataset.frames = String(++frames);
  }

  function drawLosses() {
    var canvas = document.getElementById("pg-losses");
    if (!canvas) return;
    var fit = fitCanvas(canvas, 120), ctx = fit.ctx, h = S.history, top = 0;
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, fit.w, fit.h);
    h.forEach(function (r) { if (isFinite(r[1])) top = Math.max(top, r[1]); if (isFinite(r[2])) top = Math.max(top, r[2]); });
    top = top || 1;
    var last = h[h.length - 1][0] || 1;
    [[2, "#6b7280", [4, 3]], [1, "#1d2330", []]].forEach(function (s) {
      ctx.strokeStyle = s[1]; ctx.lineWidth = 2; ctx.setLineDash(s[2]); ctx.beginPath();
      h.forEach(function (r, k) {
        var px = 4 + (fit.w - 8) * r[0] / last, py = fit.h - 4 - (fit.h - 20) * Math.min(r[s[0]], top) / top;
        if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      });
      ctx.stroke();
    });
    ctx.setLineDash([]);
    ctx.fillStyle = "#1d2330"; ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "left";
    ctx.fillText("max " + fmt(top), 6, 12);
  }

  function fmt(v) {
    if (!(v === v)) return "NaN";
    if (v === 0) return "0";
    var a = Math.abs(v);
    return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
  }
  function pct(v) { return v === v ? Math.round(100 * v) + "%" : "\u2013"; }

  function drawDiagnostics(diag) {
    var body = document.querySelector("#pg-diag tbody");
    if (!body) return;
    body.innerHTML = diag.map(function (d, l) {
      return "<tr><td>" + (l + 1) + " (" + d.units.length + ")</td><td class=\"num" + (d.dead > 0.3 ? " pg-bad" : "") + "\">" +
        pct(d.dead) + "</td><td class=\"num" + (d.saturated > 0.5 ? " pg-bad" : "") + "\">" + pct(d.saturated) +
        "</td><td class=\"num\">" + fmt(d.mean) + "</td><td class=\"num\">" + fmt(d.gradNorm) + "</td></tr>";
    }).join("");
    var notes = [], name = cfg.activation;
    diag.forEach(function (d, l) {
      if (d.dead > 0.3) notes.push("layer " + (l + 1) + " (" + name + "): " + pct(d.dead) + " of units dead \u2014 lower the learning rate, or try leaky_relu");
      if (d.saturated > 0.5) notes.push("layer " + (l + 1) + " (" + name + "): " + pct(d.saturated) + " of values saturated (|f\u2032| < 0.01)");
    });
    var g0 = diag.length ? diag[0].gradNorm : NaN, gL = diag.length ? diag[diag.length - 1].gradNorm : NaN;
    if (diag.length > 1 && g0 > 0 && gL / g0 > 1000) notes.push("gradient norm falls " + fmt(gL / g0) + "x from the last hidden layer to the first: vanishing gradients");
    if (!isFinite(S.loss)) notes.push("the loss is not finite: training diverged \u2014 lower the learning rate");
    document.getElementById("pg-warnings").innerHTML = notes.map(function (n) { return "<li>" + n + "</li>"; }).join("");
  }

  function redraw() {
    if (!S) return;
    computeGrid();
    var diag = diagnose();
    drawNet(diag);
    drawSurface();
    drawLosses();
    drawDiagnostics(diag);
    setText("pg-steps", String(S.steps));
    setText("pg-loss", fmt(S.loss));
    setText("pg-testloss", fmt(S.testLoss));
  }
  function setText(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }

  /* ---- play loop ------------------------------------------------------------------------------------------ */
  var playing = false, frameMs = [];
  function frame() {
    if (!playing) return;
    var t0 = global.performance.now();
    step(Number((document.getElementById("pg-speed") || {value: 10}).value));
    redraw();
    // The page's own work per frame (training + full redraw), kept for the speed check: on a loaded machine the
    // browser may deliver fewer animation frames than the page could draw.
    frameMs.push(global.performance.now() - t0);
    if (frameMs.length > 120) frameMs.shift();
    var sorted = frameMs.slice().sort(function (a, b) { return a - b; });
    document.getElementById("pg-surface").dataset.frameMs = sorted[sorted.length >> 1].toFixed(2);
    global.requestAnimationFrame(frame);
  }
  function setPlaying(on) {
    playing = on;
    var b = document.getElementById("pg-play");
    if (b) { b.textContent = on ? "Pause" : "Play"; b.setAttribute("aria-pressed", on ? "true" : "false"); }
    if (on) global.requestAnimationFrame(frame);
  }

  /* ---- scenarios from the seeds --------------------------------------------------------------------------- */
  var SCENARIOS = [
    {title: "Dying ReLU at a high learning rate",
     text: "At learning rate 3 the first updates throw the ReLU units' weights so far that their input is negative on every training point: f\u2032 = 0 there, no gradient reaches them, and they never come back. Watch the dead column and the crossed-out neurons.",
     set: {activation: "relu", lr: 3, dataset: "circle", layers: [8, 8], init: "he", batch: 10},
     cureLabel: "Cure: learning rate 0.03", cure: {lr: 0.03}},
    {title: "Sigmoid stack: vanishing gradients",
     text: "Six sigmoid layers: f\u2032 \u2264 1/4, so the gradient shrinks layer after layer on its way back, and the first layers barely move. Compare the gradient norms from the last layer to the first.",
     set: {activation: "sigmoid", lr: 0.3, dataset: "circle", layers: [6, 6, 6, 6, 6, 6], init: "glorot"},
     cureLabel: "Cure: ReLU with He initialisation", cure: {activation: "relu", init: "he", lr: 0.03}},
    {title: "All-linear network: collapse to one layer",
     text: "With the identity activation, three layers compose into one linear map: however deep, the network can only draw a straight boundary, and XOR stays unsolved.",
     set: {activation: "identity", lr: 0.03, dataset: "xor", layers: [8, 8, 8], init: "glorot"},
     cureLabel: "Cure: tanh", cure: {activation: "tanh"}},
    {title: "tanh vs sigmoid: zero-centring",
     text: "Sigmoid outputs are all positive (mean near 0.5), so every weight of the next unit gets an update of the same sign and training zig-zags. tanh has the same shape centred on zero.",
     set: {activation: "sigmoid", lr: 0.1, dataset: "xor", layers: [8, 8], init: "glorot"},
     cureLabel: "Cure: tanh", cure: {activation: "tanh"}},
    {title: "Bad initialisation: symmetry never breaks",
     text: "Every weight starts at the same value, so every unit of a layer computes the same thing and receives the same gradient: the layer behaves like a single unit for ever.",
     set: {activation: "tanh", lr: 0.03, dataset: "circle", layers: [8, 8], init: "bad"},
     cureLabel: "Cure: Glorot initialisation", cure: {init: "glorot"}}
  ];

  function initScenarios() {
    var host = document.getElementById("pg-scenarios"), text = document.getElementById("pg-scenario-text");
    if (!host) return;
    SCENARIOS.forEach(function (sc, k) {
      if (NAMES.indexOf(sc.set.activation) < 0) return;
      var b = document.createElement("button");
      b.type = "button"; b.textContent = sc.title; b.dataset.scenario = String(k);
      b.addEventListener("click", function () {
        configure(Object.assign({features: ["x", "y"], noise: 0, reg: "none", regRate: 0, params: {}}, sc.set));
        text.innerHTML = "";
        var p = document.createElement("p"); p.textContent = sc.text;
        var cure = document.createElement("button");
        cure.type = "button"; cure.className = "pg-cure"; cure.textContent = sc.cureLabel;
        cure.addEventListener("click", function () { configure(sc.cure); setPlaying(true); });
        text.appendChild(p); text.appendChild(cure);
        setPlaying(true);
      });
      host.appendChild(b);
    });
  }

  /* ---- controls ------------------------------------------------------------------------------------------- */
  function byId(id) { return document.getElementById(id); }

  function syncControls() {
    if (!byId("pg-activation")) return;
    byId("pg-activation").value = cfg.activation;
    selectValue("pg-lr", cfg.lr);
    byId("pg-reg").value = cfg.reg;
    selectValue("pg-regrate", cfg.regRate);
    byId("pg-init").value = cfg.init;
    byId("pg-seed").value = String(cfg.seed);
    [["pg-noise", cfg.noise], ["pg-ratio", cfg.ratio], ["pg-batch", cfg.batch]].forEach(function (r) {
      var el = byId(r[0]); el.value = String(r[1]);
      el.parentNode.querySelector("output").textContent = String(r[1]);
    });
    document.querySelectorAll(".pg-ds").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.dataset === cfg.dataset ? "true" : "false");
    });
    document.querySelectorAll("input[name=feature]").forEach(function (c) { c.checked = cfg.features.indexOf(c.value) >= 0; });
    var meta = META[cfg.activation];
    setText("pg-act-summary", meta ? meta.summary : "");
    // Rebuilt only when their number changes, so a slider or box being operated from the keyboard keeps its focus.
    var params = byId("pg-params"), current = Object.assign(defaults(cfg.activation), cfg.params);
    if (params.dataset.activation !== cfg.activation) {
      params.dataset.activation = cfg.activation;
      params.innerHTML = "";
      (meta ? meta.params : []).forEach(function (q) {
        var lab = document.createElement("label"), inp = document.createElement("input"), out = document.createElement("output");
        lab.className = "pg-range";
        lab.appendChild(document.createTextNode(q.name + " "));
        inp.type = "range"; inp.min = q.low; inp.max = q.high; inp.step = q.step; inp.name = q.name;
        inp.setAttribute("aria-label", "parameter " + q.name + (q.doc ? ": " + q.doc : ""));
        inp.addEventListener("input", function () { out.textContent = fmt(Number(inp.value)); });
        inp.addEventListener("change", function () { var o = {}; o[q.name] = Number(inp.value); configure({params: o}); });
        lab.appendChild(inp); lab.appendChild(out); params.appendChild(lab);
      });
    }
    params.querySelectorAll("input").forEach(function (inp) {
      inp.value = current[inp.name];
      inp.parentNode.querySelector("output").textContent = fmt(current[inp.name]);
    });
    var widths = byId("pg-widths");
    if (widths.children.length !== cfg.layers.length) {
      widths.innerHTML = "";
      cfg.layers.forEach(function (w, k) {
        var inp = document.createElement("input");
        inp.type = "number"; inp.min = 1; inp.max = 16;
        inp.setAttribute("aria-label", "neurons in hidden layer " + (k + 1));
        inp.addEventListener("change", function () {
          var layers = cfg.layers.slice();
          layers[k] = clamp(Math.round(Number(inp.value)) || 1, 1, 16);
          configure({layers: layers});
        });
        widths.appendChild(inp);
      });
    }
    Array.prototype.forEach.call(widths.children, function (inp, k) { inp.value = String(cfg.layers[k]); });
  }

  function selectValue(id, value) {  // a value set through config() that the list lacks is added to it
    var sel = byId(id), v = String(value);
    if (!Array.prototype.some.call(sel.options, function (o) { return o.value === v; })) {
      var o = document.createElement("option"); o.value = o.textContent = v; sel.appendChild(o);
    }
    sel.value = v;
  }

  function initControls() {
    function on(id, ev, fn) { var el = byId(id); if (el) el.addEventListener(ev, fn); }
    on("pg-play", "click", function () { setPlaying(!playing); });
    on("pg-step", "click", function () { setPlaying(false); step(1); redraw(); });
    on("pg-reset", "click", function () { reset(); redraw(); });
    on("pg-activation", "change", function (e) { configure({activation: e.target.value}); });
    on("pg-lr", "change", function (e) { configure({lr: Number(e.target.value)}); });
    on("pg-reg", "change", function (e) { configure({reg: e.target.value}); });
    on("pg-regrate", "change", function (e) { configure({regRate: Number(e.target.value)}); });
    on("pg-init", "change", function (e) { configure({init: e.target.value}); });
    on("pg-seed", "change", function (e) { configure({seed: Math.max(0, Math.round(Number(e.target.value)) || 0)}); });
    on("pg-show-test", "change", function () { redraw(); });
    [["pg-noise", "noise"], ["pg-ratio", "ratio"], ["pg-batch", "batch"]].forEach(function (r) {
      on(r[0], "input", function (e) { e.target.parentNode.querySelector("output").textContent = e.target.value; });
      on(r[0], "change", function (e) { var o = {}; o[r[1]] = Number(e.target.value); configure(o); });
    });
    on("pg-layer-add", "click", function () {
      if (cfg.layers.length < 6) configure({layers: cfg.layers.concat([cfg.layers[cfg.layers.length - 1] || 4])});
    });
    on("pg-layer-remove", "click", function () { if (cfg.layers.length > 1) configure({layers: cfg.layers.slice(0, -1)}); });
    document.querySelectorAll(".pg-ds").forEach(function (b) {
      b.addEventListener("click", function () { configure({dataset: b.dataset.dataset}); });
      drawThumb(b.querySelector("canvas"), b.dataset.dataset);
    });
    document.querySelectorAll("input[name=feature]").forEach(function (c) {
      c.addEventListener("change", function () {
        var chosen = Array.prototype.filter.call(document.querySelectorAll("input[name=feature]"), function (x) { return x.checked; })
          .map(function (x) { return x.value; });
        if (!chosen.length) { c.checked = true; return; }  // a network needs at least one input
        configure({features: chosen});
      });
    });
    document.addEventListener("keydown", function (e) {  // space plays/pauses unless a control has the focus
      var tag = (e.target && e.target.tagName) || "";
      if (e.key === " " && !/INPUT|SELECT|BUTTON|TEXTAREA/.test(tag)) { e.preventDefault(); setPlaying(!playing); }
    });
    global.addEventListener("resize", redraw);
  }

  function drawThumb(canvas, name) {
    if (!canvas) return;
    var d = makeData(name, 0, mulberry32(7)), ctx = canvas.getContext("2d"), W = canvas.width;
    ctx.fillStyle = "#f4f5f6"; ctx.fillRect(0, 0, W, W);
    var c = [0, 0, 0, 0];
    for (var i = 0; i < d.x.length; i += 3) {
      colour(d.label[i], c, 0);
      ctx.fillStyle = "rgb(" + (c[0] | 0) + "," + (c[1] | 0) + "," + (c[2] | 0) + ")";
      ctx.fillRect((d.x[i] + DOMAIN) / (2 * DOMAIN) * W - 1, (DOMAIN - d.y[i]) / (2 * DOMAIN) * W - 1, 2.5, 2.5);
    }
  }

  /* ---- the test API --------------------------------------------------------------------------------------- */
  function kernel(which) {
    return function (name, x, params) {
      if (!FNS[name]) throw new Error("actlabPlayground: no activation " + JSON.stringify(name) + "; available: " + NAMES.join(", "));
      var p = Object.assign(defaults(name), params || {});
      if (typeof x === "number") return FNS[name][which](x, p);
      return Array.prototype.map.call(x, function (v) { return FNS[name][which](v, p); });
    };
  }

  global.actlabPlayground = {
    activations: NAMES.slice(),
    config: configure,
    reset: function () { reset(); redraw(); },
    step: function (n) { var loss = step(n === undefined ? 1 : n); redraw(); return loss; },
    state: state,
    f: kernel("f"),
    df: kernel("df")
  };

  function init() {
    reset();
    initControls();
    initScenarios();
    readHash();
    syncControls();
    writeHash();
    redraw();
    document.documentElement.dataset.playgroundReady = "true";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})(window);
