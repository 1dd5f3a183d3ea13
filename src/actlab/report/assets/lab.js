/* actlab lab: page behaviour — catalog cards with sliders, filters and sorting, the compare page, data plots.
   Reads window.ACTLAB_CATALOG (samples, parameters, flags) and window.ACTLAB_FNS (f and f' generated from the
   registry's SymPy formulas) from data/catalog.js. */
(function (global) {
  "use strict";

  var CATALOG = global.ACTLAB_CATALOG || {x: [], activations: []};
  var FNS = global.ACTLAB_FNS || {};
  var BY_NAME = {};
  CATALOG.activations.forEach(function (a) { BY_NAME[a.name] = a; });
  var LAB = global.ACTLAB_LAB = {plots: {}};

  function defaults(act) {
    var p = {};
    act.params.forEach(function (q) { p[q.name] = q.default; });
    return p;
  }

  /* f and f' of an activation as plot series: the generated function when there is one, else the NumPy samples. */
  function curves(name, params, labelPrefix) {
    var act = BY_NAME[name], fns = FNS[name], prefix = labelPrefix || "";
    var p = params || defaults(act);
    var atDefaults = act.params.every(function (q) { return p[q.name] === q.default; });
    if (fns && fns.f) {
      return {
        f: {label: prefix + "f", fn: function (x) { return fns.f(x, p); }},
        df: {label: prefix + "f\u2032", fn: function (x) { return fns.df(x, p); }, dash: true}
      };
    }
    if (!atDefaults) return null;  // samples exist only at the default parameters
    return {
      f: {label: prefix + "f", x: CATALOG.x, y: act.f},
      df: {label: prefix + "f\u2032", x: CATALOG.x, y: act.df, dash: true}
    };
  }

  function plotFor(el, opts) {
    var plot = new ActPlot(el, opts);
    if (el.id) LAB.plots[el.id] = plot;
    return plot;
  }

  /* ---- catalog cards ------------------------------------------------------------------------------------- */
  function initCard(card) {
    var name = card.dataset.name, act = BY_NAME[name];
    var host = card.querySelector(".act-plot");
    if (!act || !host) return;
    var plot = plotFor(host, {xLabel: "x"});
    var params = defaults(act);
    var sliders = card.querySelectorAll("input[data-param]");
    function redraw() {
      var c = curves(name, params);
      if (!c) return;
      plot.setSeries([c.f, c.df]);
      host.dataset.params = JSON.stringify(params);
    }
    sliders.forEach(function (input) {
      var out = card.querySelector('output[data-for="' + input.dataset.param + '"]');
      input.addEventListener("input", function () {
        params[input.dataset.param] = Number(input.value);
        if (out) out.textContent = input.value;
        redraw();
      });
    });
    var reset = card.querySelector("button.params-reset");
    if (reset) reset.addEventListener("click", function () {
      params = defaults(act);
      sliders.forEach(function (input) {
        input.value = params[input.dataset.param];
        var out = card.querySelector('output[data-for="' + input.dataset.param + '"]');
        if (out) out.textContent = input.value;
      });
      redraw();
    });
    redraw();
  }

  /* ---- filters and sorting on the catalog page ---------------------------------------------------------- */
  function initFilters() {
    var table = document.getElementById("prop-table");
    if (!table) return;
    var tbody = table.tBodies[0];
    var cards = document.getElementById("cards");
    var selects = document.querySelectorAll("#filters select[data-flag]");
    var search = document.getElementById("search");
    var count = document.getElementById("shown-count");
    var sortKey = null, sortDir = 1;

    function apply() {
      var query = (search && search.value || "").trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(tbody.rows, function (row) {
        var ok = !query || row.dataset.search.indexOf(query) >= 0;
        selects.forEach(function (sel) {
          if (sel.value !== "any" && row.dataset[sel.dataset.flag] !== sel.value) ok = false;
        });
        row.hidden = !ok;
        var card = document.getElementById("act-" + row.dataset.name);
        if (card) card.hidden = !ok;
        if (ok) shown++;
      });
      if (count) count.textContent = shown + " of " + tbody.rows.length + " shown";
      table.dataset.shown = String(shown);
    }

    function key(row, k) {
      var v = row.getAttribute("data-key-" + k);
      return v !== null && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(v) ? parseFloat(v) : (v || "");
    }

    function sortBy(k) {
      sortDir = sortKey === k ? -sortDir : 1;
      sortKey = k;
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {
        var x = key(a, k), y = key(b, k);
        if (typeof x === "number" && typeof y !== "number") return -1;  // missing values last
        if (typeof y === "number" && typeof x !== "number") return 1;
        var c = x < y ? -1 : x > y ? 1 : 0;
        if (c === 0) c = a.dataset.order - b.dataset.order;
        else c *= sortDir;
        return c;
      });
      rows.forEach(function (row) {
        tbody.appendChild(row);
        var card = document.getElementById("act-" + row.dataset.name);
        if (card && cards) cards.appendChild(card);
      });
      table.querySelectorAll("th button[data-sort]").forEach(function (b) {
        var th = b.parentNode;
        th.setAttribute("aria-sort", b.dataset.sort === k ? (sortDir > 0 ? "ascending" : "descending") : "none");
      });
      table.dataset.sortKey = k;
      table.dataset.sortDir = sortDir > 0 ? "asc" : "desc";
    }

    selects.forEach(function (sel) { sel.addEventListener("change", apply); });
    if (search) search.addEventListener("input", apply);
    table.querySelectorAll("th button[data-sort]").forEach(function (b) {
      b.addEventListener("click", function () { sortBy(b.dataset.sort); });
    });
    var clear = document.getElementById("clear-filters");
    if (clear) clear.addEventListener("click", function () {
      selects.forEach(function (sel) { sel.value = "any"; });
      if (search) search.value = "";
      apply();
    });
    apply();
  }

  /* ---- compare page ------------------------------------------------------------------------------------- */
  function initCompare() {
    var picker = document.getElementById("compare-picker");
    if (!picker) return;
    var MAX = 4;
    var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[name=cmp]"));
    var fPlot = plotFor(document.getElementById("cmp-f"), {xLabel: "x"});
    var dfPlot = plotFor(document.getElementById("cmp-df"), {xLabel: "x"});
    var note = document.getElementById("compare-note");

    var wanted = decodeURIComponent((global.location.hash || "").slice(1)).split(",").filter(function (n) {
      return BY_NAME[n];
    });
    if (wanted.length) boxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });

    function update() {
      var chosen = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      boxes.forEach(function (b) { b.disabled = !b.checked && chosen.length >= MAX; });
      var fs = [], dfs = [];
      chosen.forEach(function (name) {
        var c = curves(name, null, name + ": ");
        if (c) { c.f.label = name; c.df.label = name + "\u2032"; c.df.dash = false; fs.push(c.f); dfs.push(c.df); }
      });
      fPlot.setSeries(fs);
      dfPlot.setSeries(dfs);
      picker.dataset.chosen = chosen.join(",");
      if (note) note.textContent = chosen.length < 2 ? "Pick at least two activations (up to four)."
        : chosen.length + " of at most " + MAX + " chosen.";
      if (global.history && global.history.replaceState) {
        try { global.history.replaceState(null, "", "#" + chosen.join(",")); } catch (e) { /* file:// may refuse */ }
      }
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  /* ---- plots of stored data and the home page's small network ------------------------------------------- */
  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function initDataPlot(el) {
    var spec = readJSON(el.dataset.series);
    if (!spec) return;
    var plot = plotFor(el, {xLabel: spec.xLabel || "x", xRange: spec.xRange || [spec.series[0].x[0],
      spec.series[0].x[spec.series[0].x.length - 1]]});
    plot.setSeries(spec.series);
  }

  function initDemo(el) {
    var net = readJSON(el.dataset.demo);
    var select = document.getElementById(el.dataset.select);
    if (!net || !select) return;
    var plot = plotFor(el, {xLabel: "x", xRange: net.xRange});
    function act(name) {
      var fns = FNS[name], a = BY_NAME[name], p = defaults(a);
      if (fns && fns.f) return function (u) { return fns.f(u, p); };
      var probe = {x: CATALOG.x, y: a.f};
      return function (u) { return ActPlot.prototype.valueAt(probe, u); };
    }
    function update() {
      var series = [];
      Array.prototype.forEach.call(select.selectedOptions, function (opt) {
        var g = act(opt.value);
        series.push({label: "network with " + opt.value, fn: function (x) {
          var y = net.b2;
          for (var i = 0; i < net.w1.length; i++) y += net.w2[i] * g(net.w1[i] * x + net.b1[i]);
          return y;
        }});
      });
      plot.setSeries(series);
    }
    select.addEventListener("change", update);
    update();
  }

  function init() {
    document.querySelectorAll(".card[data-name]").forEach(initCard);
    initFilters();
    initCompare();
    document.querySelectorAll(".act-plot[data-series]").forEach(initDataPlot);
    document.querySelectorAll(".act-plot[data-demo]").forEach(initDemo);
    document.documentElement.dataset.labReady = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})(window);
