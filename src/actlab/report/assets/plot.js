/* actlab lab: a small interactive plot on a canvas (no third-party code).

   new ActPlot(element, {xRange: [-6, 6], xLabel: "x", yLabel: "f(x)"})
   plot.setSeries([{label: "relu", fn: x => Math.max(0, x)}, {label: "data", x: [...], y: [...], dash: true}])

   Functions are re-sampled at screen resolution for every view, so zooming in stays sharp; sampled series are drawn
   as given. Wheel zooms about the cursor, dragging a box zooms into it, double-click or the Reset button restores the
   view, hovering shows every series' value at the cursor.

   After each draw the element carries data-drawn="true", data-points (finite points drawn) and data-signature (a
   checksum of the drawn values): the browser test reads them to check that a plot has data and that a slider changed
   the curve. */
(function (global) {
  "use strict";

  var COLORS = ["#1f5fbf", "#d1495b", "#2a9d55", "#8a4fbf", "#e08a00", "#138a9e", "#7a5230", "#c2408f"];
  var PAD = {left: 48, right: 12, top: 10, bottom: 30};

  function niceStep(span, target) {
    var raw = span / Math.max(target, 1);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var norm = raw / mag;
    var step = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
    return step * mag;
  }

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }

  function fmt(v) {
    if (!Number.isFinite(v)) return String(v);
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e5 || a < 1e-4) return v.toExponential(3);
    return String(Number(v.toPrecision(6)));
  }

  function ActPlot(el, opts) {
    this.el = el;
    this.opts = Object.assign({xRange: [-6, 6], yRange: null, xLabel: "x", yLabel: "", height: 240}, opts || {});
    this.series = [];
    this.view = null;
    this.zoomed = false;
    this.cache = null;
    this.hoverX = null;
    this.drag = null;
    this._build();
  }

  ActPlot.prototype._build = function () {
    var self = this;
    this.el.classList.add("plot-host");
    this.frame = document.createElement("div");
    this.frame.className = "plot-frame";
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", this.el.getAttribute("aria-label") || "plot");
    this.canvas.style.height = this.opts.height + "px";
    this.tip = document.createElement("div");
    this.tip.className = "plot-tip";
    this.tip.hidden = true;
    this.reset = document.createElement("button");
    this.reset.type = "button";
    this.reset.className = "plot-reset";
    this.reset.textContent = "Reset";
    this.reset.title = "Reset the view (or double-click the plot)";
    this.legend = document.createElement("div");
    this.legend.className = "plot-legend";
    this.frame.appendChild(this.canvas);
    this.frame.appendChild(this.tip);
    this.frame.appendChild(this.reset);
    this.el.appendChild(this.frame);
    this.el.appendChild(this.legend);

    this.reset.addEventListener("click", function () { self.resetView(); });
    this.canvas.addEventListener("dblclick", function () { self.resetView(); });
    this.canvas.addEventListener("wheel", function (ev) { self._wheel(ev); }, {passive: false});
    this.canvas.addEventListener("mousedown", function (ev) { self._down(ev); });
    global.addEventListener("mousemove", function (ev) { self._move(ev); });
    global.addEventListener("mouseup", function (ev) { self._up(ev); });
    this.canvas.addEventListener("mouseleave", function () {
      self.hoverX = null; self.tip.hidden = true; if (!self.drag) self._paint();
    });
    if (global.ResizeObserver) {
      new ResizeObserver(function () { self.draw(); }).observe(this.frame);
    }
  };

  ActPlot.prototype.setSeries = function (series) {
    this.series = series.map(function (s, i) {
      return Object.assign({color: COLORS[i % COLORS.length]}, s);
    });
    if (!this.zoomed) this.view = null;
    this.draw();
  };

  ActPlot.prototype.resetView = function () {
    this.zoomed = false;
    this.view = null;
    this.draw();
  };

  ActPlot.prototype._sample = function (s, x0, x1, n) {
    var xs = [], ys = [];
    if (s.fn) {
      for (var i = 0; i < n; i++) {
        var x = x0 + (x1 - x0) * i / (n - 1), y;
        try { y = Number(s.fn(x)); } catch (e) { y = NaN; }
        xs.push(x); ys.push(Number.isFinite(y) ? y : NaN);
      }
    } else {
      for (var j = 0; j < s.x.length; j++) {
        var inside = s.x[j] >= x0 && s.x[j] <= x1;
        var nearLeft = j + 1 < s.x.length && s.x[j + 1] >= x0 && s.x[j] < x0;
        var nearRight = j > 0 && s.x[j - 1] <= x1 && s.x[j] > x1;
        if (inside || nearLeft || nearRight) {
          var v = s.y[j];
          xs.push(s.x[j]); ys.push(v === null || !Number.isFinite(v) ? NaN : v);
        }
      }
    }
    return {x: xs, y: ys};
  };

  ActPlot.prototype._autoView = function () {
    var xr = this.opts.xRange;
    if (this.opts.yRange) return {x0: xr[0], x1: xr[1], y0: this.opts.yRange[0], y1: this.opts.yRange[1]};
    var lo = Infinity, hi = -Infinity, self = this;
    this.series.forEach(function (s) {
      var d = self._sample(s, xr[0], xr[1], 241);
      d.y.forEach(function (v) { if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    });
    if (!Number.isFinite(lo)) { lo = -1; hi = 1; }
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    var pad = 0.08 * (hi - lo);
    return {x0: xr[0], x1: xr[1], y0: lo - pad, y1: hi + pad};
  };

  ActPlot.prototype._size = function () {
    var dpr = global.devicePixelRatio || 1;
    var w = Math.max(this.canvas.clientWidth || this.frame.clientWidth || 320, 120);
    var h = this.opts.height;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    return {w: w, h: h, dpr: dpr};
  };

  ActPlot.prototype._toPx = function (v, size) {
    var pw = size.w - PAD.left - PAD.right, ph = size.h - PAD.top - PAD.bottom;
    return {
      x: function (x) { return PAD.left + (x - v.x0) / (v.x1 - v.x0) * pw; },
      y: function (y) { return PAD.top + (1 - (y - v.y0) / (v.y1 - v.y0)) * ph; },
      ix: function (px) { return v.x0 + (px - PAD.left) / pw * (v.x1 - v.x0); },
      iy: function (py) { return v.y0 + (1 - (py - PAD.top) / ph) * (v.y1 - v.y0); }
    };
  };

  /* Sample every series for the current view, then paint. */
  ActPlot.prototype.draw = function () {
    if (!this.view) this.view = this._autoView();
    var size = this._size(), v = this.view, self = this;
    var n = Math.max(Math.round(size.w - PAD.left - PAD.right), 50) + 1;
    var points = 0, signature = 0;
    this.cache = this.series.map(function (s) {
      var d = self._sample(s, v.x0, v.x1, n);
      d.y.forEach(function (y, i) {
        if (Number.isFinite(y)) { points++; signature += ((i % 97) + 1) * y; }
      });
      return d;
    });
    this.el.dataset.points = String(points);
    this.el.dataset.signature = this.series.length + ":" + points + ":" + signature.toPrecision(12);
    this.el.dataset.drawn = points > 0 ? "true" : "false";
    this._paint();
    this._legend();
  };

  ActPlot.prototype._legend = function () {
    var html = this.series.map(function (s) {
      var style = "border-top: 3px " + (s.dash ? "dashed " : "solid ") + s.color;
      return '<span class="plot-key"><i style="' + style + '"></i>' + esc(s.label) + "</span>";
    }).join("");
    if (this.legend.innerHTML !== html) this.legend.innerHTML = html;
  };

  ActPlot.prototype._paint = function () {
    var size = this._size(), v = this.view, ctx = this.canvas.getContext("2d");
    var P = this._toPx(v, size);
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    ctx.clearRect(0, 0, size.w, size.h);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size.w, size.h);

    // grid, axes through 0, tick labels
    ctx.font = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    ctx.lineWidth = 1;
    var xs = niceStep(v.x1 - v.x0, (size.w - PAD.left - PAD.right) / 70);
    var ys = niceStep(v.y1 - v.y0, (size.h - PAD.top - PAD.bottom) / 40);
    ctx.strokeStyle = "#e6e8ec"; ctx.fillStyle = "#555b66"; ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (var gx = Math.ceil(v.x0 / xs) * xs; gx <= v.x1 + 1e-12; gx += xs) {
      var px = Math.round(P.x(gx)) + 0.5;
      ctx.beginPath(); ctx.moveTo(px, PAD.top); ctx.lineTo(px, size.h - PAD.bottom); ctx.stroke();
      ctx.fillText(fmt(Math.abs(gx) < xs * 1e-9 ? 0 : gx), px, size.h - PAD.bottom + 4);
    }
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (var gy = Math.ceil(v.y0 / ys) * ys; gy <= v.y1 + 1e-12; gy += ys) {
      var py = Math.round(P.y(gy)) + 0.5;
      ctx.beginPath(); ctx.moveTo(PAD.left, py); ctx.lineTo(size.w - PAD.right, py); ctx.stroke();
      ctx.fillText(fmt(Math.abs(gy) < ys * 1e-9 ? 0 : gy), PAD.left - 5, py);
    }
    ctx.strokeStyle = "#9aa1ad";
    if (v.x0 < 0 && v.x1 > 0) {
      var ax = Math.round(P.x(0)) + 0.5;
      ctx.beginPath(); ctx.moveTo(ax, PAD.top); ctx.lineTo(ax, size.h - PAD.bottom); ctx.stroke();
    }
    if (v.y0 < 0 && v.y1 > 0) {
      var ay = Math.round(P.y(0)) + 0.5;
      ctx.beginPath(); ctx.moveTo(PAD.left, ay); ctx.lineTo(size.w - PAD.right, ay); ctx.stroke();
    }
    ctx.textAlign = "right"; ctx.textBaseline = "bottom"; ctx.fillStyle = "#333";
    ctx.fillText(this.opts.xLabel, size.w - PAD.right, size.h - 2);

    // curves, clipped to the plot area; NaN breaks the line
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, size.w - PAD.left - PAD.right, size.h - PAD.top - PAD.bottom);
    ctx.clip();
    var self = this;
    (this.cache || []).forEach(function (d, k) {
      var s = self.series[k];
      ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 2.2;
      ctx.setLineDash(s.dash ? [6, 4] : []);
      ctx.beginPath();
      var pen = false;
      for (var i = 0; i < d.x.length; i++) {
        var y = d.y[i];
        if (!Number.isFinite(y)) { pen = false; continue; }
        var cy = Math.max(-1e4, Math.min(1e4, P.y(y)));  // keep huge values drawable
        if (pen) ctx.lineTo(P.x(d.x[i]), cy); else { ctx.moveTo(P.x(d.x[i]), cy); pen = true; }
      }
      ctx.stroke();
    });
    ctx.setLineDash([]);
    ctx.restore();

    // zoom box or hover cross-hair
    if (this.drag && this.drag.moved) {
      var d = this.drag;
      ctx.fillStyle = "rgba(31, 95, 191, 0.12)"; ctx.strokeStyle = "#1f5fbf";
      ctx.fillRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0);
      ctx.strokeRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0);
    } else if (this.hoverX !== null) {
      var hx = P.x(this.hoverX);
      ctx.strokeStyle = "rgba(0,0,0,0.35)";
      ctx.beginPath(); ctx.moveTo(hx, PAD.top); ctx.lineTo(hx, size.h - PAD.bottom); ctx.stroke();
      var rows = ["x = " + fmt(this.hoverX)];
      this.series.forEach(function (s) {
        var y = self.valueAt(s, self.hoverX);
        if (Number.isFinite(y)) {
          ctx.fillStyle = s.color;
          ctx.beginPath(); ctx.arc(hx, P.y(y), 3.5, 0, 2 * Math.PI); ctx.fill();
        }
        rows.push('<span style="color:' + s.color + '">' + esc(s.label) + "</span> = " + fmt(y));
      });
      this.tip.innerHTML = rows.join("<br>");
      this.tip.hidden = false;
      var left = hx + 12;
      if (left + 170 > size.w) left = hx - 180;
      this.tip.style.left = Math.max(left, 0) + "px";
      this.tip.style.top = PAD.top + 4 + "px";
    }
  };

  /* The value of a series at x: the function itself, or linear interpolation between samples. */
  ActPlot.prototype.valueAt = function (s, x) {
    if (s.fn) { try { return Number(s.fn(x)); } catch (e) { return NaN; } }
    var xs = s.x, ys = s.y;
    if (!xs.length || x < xs[0] || x > xs[xs.length - 1]) return NaN;
    var lo = 0, hi = xs.length - 1;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (xs[mid] <= x) lo = mid; else hi = mid; }
    var a = ys[lo], b = ys[hi];
    if (a === null || b === null) return NaN;
    var t = xs[hi] === xs[lo] ? 0 : (x - xs[lo]) / (xs[hi] - xs[lo]);
    return a + t * (b - a);
  };

  ActPlot.prototype._local = function (ev) {
    var r = this.canvas.getBoundingClientRect();
    return {x: ev.clientX - r.left, y: ev.clientY - r.top};
  };

  ActPlot.prototype._wheel = function (ev) {
    ev.preventDefault();
    var size = this._size(), P = this._toPx(this.view, size), m = this._local(ev);
    var cx = P.ix(m.x), cy = P.iy(m.y), k = Math.exp(Math.max(-0.5, Math.min(0.5, ev.deltaY * 0.0015)));
    var v = this.view;
    this.view = {x0: cx + (v.x0 - cx) * k, x1: cx + (v.x1 - cx) * k, y0: cy + (v.y0 - cy) * k, y1: cy + (v.y1 - cy) * k};
    this.zoomed = true;
    this.draw();
  };

  ActPlot.prototype._down = function (ev) {
    if (ev.button !== 0) return;
    var m = this._local(ev);
    this.drag = {x0: m.x, y0: m.y, x1: m.x, y1: m.y, moved: false};
    ev.preventDefault();
  };

  ActPlot.prototype._move = function (ev) {
    if (!this.view) return;
    var m = this._local(ev);
    if (this.drag) {
      this.drag.x1 = m.x; this.drag.y1 = m.y;
      this.drag.moved = Math.abs(m.x - this.drag.x0) > 4 || Math.abs(m.y - this.drag.y0) > 4;
      this.tip.hidden = true;
      this._paint();
      return;
    }
    var size = this._size();
    var inside = m.x >= PAD.left && m.x <= size.w - PAD.right && m.y >= 0 && m.y <= size.h;
    if (!inside) {
      if (this.hoverX !== null) { this.hoverX = null; this.tip.hidden = true; this._paint(); }
      return;
    }
    this.hoverX = this._toPx(this.view, size).ix(m.x);
    this._paint();
  };

  ActPlot.prototype._up = function () {
    var d = this.drag;
    this.drag = null;
    if (!d) return;
    if (d.moved && Math.abs(d.x1 - d.x0) > 4 && Math.abs(d.y1 - d.y0) > 4) {
      var P = this._toPx(this.view, this._size());
      this.view = {
        x0: P.ix(Math.min(d.x0, d.x1)), x1: P.ix(Math.max(d.x0, d.x1)),
        y0: P.iy(Math.max(d.y0, d.y1)), y1: P.iy(Math.min(d.y0, d.y1))
      };
      this.zoomed = true;
      this.draw();
    } else {
      this._paint();
    }
  };

  global.ActPlot = ActPlot;
})(window);
