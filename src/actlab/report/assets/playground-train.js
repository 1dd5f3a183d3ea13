/* actlab lab: the playground's training engine, without the page. Data sets, a small MLP and its training loop.

   The per-step math works in preallocated Float64Arrays: a training step allocates nothing.

   Conventions follow TensorFlow Playground: 500 points in [-6, 6]^2, labels -1/+1 (classification) or in [-1, 1]
   (regression), loss = mean of (output - label)^2 / 2, gradients averaged over the batch, L1/L2 applied to weights
   only. Two departures, both so that the hidden layers' own behaviour shows: the inputs are scaled to about
   [-1, 1] (standardised inputs, as the seeds recommend; raw inputs up to 6 make lr 3 overflow to NaN before any
   pathology can be seen), and the output unit is linear for classification too (TF's tanh output saturates at a
   high learning rate and freezes the whole network, hiding the dying ReLUs behind it).

   Diagnostics follow actlab.torch.Monitor: a unit is dead when f'(z) = 0 on every training point, an element is
   saturated when |f'(z)| < 0.01, mean is the mean output, and the gradient norm is the L2 norm of dLoss/dz at the
   layer's input (the pre-activations) over the last batch. */
(function (global) {
  "use strict";

  var N_POINTS = 500, SAT = 0.01, DOMAIN = 6, HISTORY_EVERY = 25;
  var DATASETS = ["circle", "xor", "gauss", "spiral", "plane", "multigauss"];
  // Inputs scaled to about [-1, 1] (the plane is [-6, 6]^2): standardised inputs, as the seeds recommend.
  var FEATURES = {
    x: function (x, y) { return x / DOMAIN; }, y: function (x, y) { return y / DOMAIN; },
    x2: function (x, y) { return x * x / (DOMAIN * DOMAIN); }, y2: function (x, y) { return y * y / (DOMAIN * DOMAIN); },
    xy: function (x, y) { return x * y / (DOMAIN * DOMAIN); }, sinx: function (x, y) { return Math.sin(x); },
    siny: function (x, y) { return Math.sin(y); }
  };
  var FEATURE_NAMES = ["x", "y", "x2", "y2", "xy", "sinx", "siny"];
  var INITS = ["glorot", "he", "bad", "large"];
  var REGS = ["none", "L1", "L2"];

  /* ---- seeded randomness --------------------------------------------------------------------------------- */
  function mulberry32(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) | 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function normal(rand) {
    var u = 1 - rand(), v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  function uniform(rand, a, b) { return a + (b - a) * rand(); }

  /* ---- datasets (TensorFlow Playground's generators) ------------------------------------------------------ */
  function makeData(name, noise, rand) {
    var xs = [], ys = [], ls = [], n = N_POINTS, i;
    function push(x, y, l) { xs.push(x); ys.push(y); ls.push(l); }
    if (name === "circle") {
      var R = 5;
      for (i = 0; i < n; i++) {
        var inner = i < n / 2, r = inner ? uniform(rand, 0, R * 0.5) : uniform(rand, R * 0.7, R);
        var ang = uniform(rand, 0, 2 * Math.PI), px = r * Math.sin(ang), py = r * Math.cos(ang);
        var nx = uniform(rand, -R, R) * noise, ny = uniform(rand, -R, R) * noise;
        push(px, py, Math.hypot(px + nx, py + ny) < R * 0.5 ? 1 : -1);
      }
    } else if (name === "xor") {
      for (i = 0; i < n; i++) {
        var qx = uniform(rand, -5, 5), qy = uniform(rand, -5, 5);
        qx += qx > 0 ? 0.3 : -0.3; qy += qy > 0 ? 0.3 : -0.3;
        var ex = uniform(rand, -5, 5) * noise, ey = uniform(rand, -5, 5) * noise;
        push(qx, qy, (qx + ex) * (qy + ey) >= 0 ? 1 : -1);
      }
    } else if (name === "gauss") {
      var sd = Math.sqrt(0.5 + 3.5 * noise / 0.5);
      for (i = 0; i < n; i++) {
        var pos = i < n / 2, c = pos ? 2 : -2;
        push(c + sd * normal(rand), c + sd * normal(rand), pos ? 1 : -1);
      }
    } else if (name === "spiral") {
      var half = n / 2;
      for (i = 0; i < n; i++) {
        var k = i % half, dt = i < half ? 0 : Math.PI, rr = k / half * 5, t = 1.75 * k / half * 2 * Math.PI + dt;
        push(rr * Math.sin(t) + uniform(rand, -1, 1) * noise, rr * Math.cos(t) + uniform(rand, -1, 1) * noise,
             i < half ? 1 : -1);
      }
    } else if (name === "plane") {
      for (i = 0; i < n; i++) {
        var ax = uniform(rand, -DOMAIN, DOMAIN), ay = uniform(rand, -DOMAIN, DOMAIN);
        var bx = uniform(rand, -DOMAIN, DOMAIN) * noise, by = uniform(rand, -DOMAIN, DOMAIN) * noise;
        push(ax, ay, clamp((ax + bx + ay + by) / 10, -1, 1));
      }
    } else {  // multigauss
      var G = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
      for (i = 0; i < n; i++) {
        var gx = uniform(rand, -DOMAIN, DOMAIN), gy = uniform(rand, -DOMAIN, DOMAIN);
        var hx = gx + uniform(rand, -DOMAIN, DOMAIN) * noise, hy = gy + uniform(rand, -DOMAIN, DOMAIN) * noise;
        var lab = 0;
        for (var g = 0; g < G.length; g++) {
          var v = G[g][2] * clamp(1 - Math.hypot(hx - G[g][0], hy - G[g][1]) / 2, 0, 1);
          if (Math.abs(v) > Math.abs(lab)) lab = v;
        }
        push(gx, gy, lab);
      }
    }
    // shuffle (Fisher-Yates), so the split takes points of both classes
    for (i = n - 1; i > 0; i--) {
      var j = Math.floor(rand() * (i + 1)), s;
      s = xs[i]; xs[i] = xs[j]; xs[j] = s; s = ys[i]; ys[i] = ys[j]; ys[j] = s; s = ls[i]; ls[i] = ls[j]; ls[j] = s;
    }
    return {x: Float64Array.from(xs), y: Float64Array.from(ys), label: Float64Array.from(ls)};
  }
  function clamp(v, a, b) { return v < a ? a : (v > b ? b : v); }

  /* ---- the network ---------------------------------------------------------------------------------------- */
  function Net(sizes, init, rand) {
    var L = sizes.length - 1, l;
    this.sizes = sizes; this.L = L;
    this.W = []; this.b = []; this.gW = []; this.gb = []; this.z = []; this.a = []; this.d = [];
    this.gradSq = new Float64Array(L);
    this.a.push(new Float64Array(sizes[0]));
    for (l = 0; l < L; l++) {
      var nin = sizes[l], nout = sizes[l + 1], W = new Float64Array(nin * nout);
      for (var k = 0; k < W.length; k++) {
        if (init === "he") W[k] = normal(rand) * Math.sqrt(2 / nin);
        else if (init === "bad") W[k] = 0.5;  // every unit of a layer identical: symmetry is never broken
        else if (init === "large") W[k] = 4 * normal(rand);
        else W[k] = uniform(rand, -1, 1) * Math.sqrt(6 / (nin + nout));
      }
      this.W.push(W);
      var b = new Float64Array(nout);
      b.fill(init === "bad" ? 0 : 0.1);
      this.b.push(b);
      this.gW.push(new Float64Array(nin * nout)); this.gb.push(new Float64Array(nout));
      this.z.push(new Float64Array(nout)); this.a.push(new Float64Array(nout)); this.d.push(new Float64Array(nout));
    }
  }

  /* Forward one input vector (already in this.a[0]); returns the output. act: {f, df, p}. */
  Net.prototype.forward = function (act) {
    var L = this.L, f = act.f, p = act.p;
    for (var l = 0; l < L; l++) {
      var nin = this.sizes[l], nout = this.sizes[l + 1], W = this.W[l], b = this.b[l];
      var ain = this.a[l], z = this.z[l], aout = this.a[l + 1], last = l === L - 1;
      for (var j = 0; j < nout; j++) {
        var s = b[j], row = j * nin;
        for (var i = 0; i < nin; i++) s += W[row + i] * ain[i];
        z[j] = s;
        aout[j] = last ? s : f(s, p);  // a linear output unit
      }
    }
    return this.a[L][0];
  };

  /* Backward from dLoss/doutput = g (for one sample, already scaled by 1/batch): accumulate gradients. */
  Net.prototype.backward = function (act, g) {
    var L = this.L, df = act.df, p = act.p, l, i, j;
    this.d[L - 1][0] = g;
    for (l = L - 1; l >= 0; l--) {
      var nin = this.sizes[l], nout = this.sizes[l + 1], W = this.W[l], gW = this.gW[l], gb = this.gb[l];
      var d = this.d[l], ain = this.a[l];
      if (l < L - 1) {  // hidden layer: its d holds dLoss/da; times f'(z) gives dLoss/dz
        var z = this.z[l], sq = 0;
        for (j = 0; j < nout; j++) { d[j] *= df(z[j], p); sq += d[j] * d[j]; }
        this.gradSq[l] += sq;
      }
      for (j = 0; j < nout; j++) {
        var dj = d[j], row = j * nin;
        gb[j] += dj;
        for (i = 0; i < nin; i++) gW[row + i] += dj * ain[i];
      }
      if (l > 0) {
        var dprev = this.d[l - 1];
        for (i = 0; i < nin; i++) {
          var s = 0;
          for (j = 0; j < nout; j++) s += W[j * nin + i] * d[j];
          dprev[i] = s;
        }
      }
    }
  };

  Net.prototype.update = function (lr, reg, regRate) {
    for (var l = 0; l < this.L; l++) {
      var W = this.W[l], gW = this.gW[l], b = this.b[l], gb = this.gb[l], k;
      for (k = 0; k < W.length; k++) {
        var w = W[k] - lr * gW[k];
        if (reg === "L2") w -= lr * regRate * W[k];
        else if (reg === "L1" && regRate > 0) {
          var shrunk = w - lr * regRate * (W[k] > 0 ? 1 : (W[k] < 0 ? -1 : 0));
          w = (w * shrunk < 0) ? 0 : shrunk;  // L1 may drive a weight to zero, not across it
        }
        W[k] = w; gW[k] = 0;
      }
      for (k = 0; k < b.length; k++) { b[k] -= lr * gb[k]; gb[k] = 0; }
    }
  };

  /* ---- a training run: data, network, batches, losses, diagnostics ------------------------------------------- */
  /* settings: {dataset, noise, ratio, features, layers, init, seed} fixed for the run, and {lr, batch, reg, regRate}
     read at every step (so they can change while training); act: {f, df, p}. */
  function Trainer(settings, act) {
    var rand = mulberry32(settings.seed * 2654435761 + 1);
    var data = makeData(settings.dataset, settings.noise / 100, rand);
    var nTrain = Math.max(1, Math.min(N_POINTS - 1, Math.round(N_POINTS * settings.ratio / 100)));
    var features = settings.features, nf = features.length, inputs = new Float64Array(N_POINTS * nf), i, k;
    for (i = 0; i < N_POINTS; i++) {
      for (k = 0; k < nf; k++) inputs[i * nf + k] = FEATURES[features[k]](data.x[i], data.y[i]);
    }
    var train = new Int32Array(nTrain), test = new Int32Array(N_POINTS - nTrain);
    for (i = 0; i < N_POINTS; i++) { if (i < nTrain) train[i] = i; else test[i - nTrain] = i; }
    var sizes = [nf].concat(settings.layers, [1]);
    this.settings = settings; this.act = act; this.features = features.slice();
    this.data = data; this.inputs = inputs; this.nf = nf; this.train = train; this.test = test; this.rand = rand;
    this.net = new Net(sizes, settings.init, rand);
    this.order = Int32Array.from(train); this.pos = nTrain; this.steps = 0; this.history = [];
    this.lastGrad = new Float64Array(sizes.length).fill(NaN);
    this.loss = this.lossOn(train); this.testLoss = this.lossOn(test);
    this.history.push([0, this.loss, this.testLoss]);
    this.diag = null;
  }

  Trainer.prototype.load = function (index) {
    var a0 = this.net.a[0], nf = this.nf, off = index * nf;
    for (var k = 0; k < nf; k++) a0[k] = this.inputs[off + k];
  };

  Trainer.prototype.lossOn = function (indices) {
    var sum = 0;
    for (var t = 0; t < indices.length; t++) {
      this.load(indices[t]);
      var e = this.net.forward(this.act) - this.data.label[indices[t]];
      sum += 0.5 * e * e;
    }
    return indices.length ? sum / indices.length : NaN;
  };

  /* One batch: sequential batches over the training points, reshuffled every epoch. */
  Trainer.prototype.trainBatch = function () {
    var net = this.net, cfg = this.settings, B = Math.max(1, cfg.batch | 0), order = this.order, nTrain = order.length;
    net.gradSq.fill(0);
    for (var s = 0; s < B; s++) {
      if (this.pos >= nTrain) {
        for (var i = nTrain - 1; i > 0; i--) {
          var j = Math.floor(this.rand() * (i + 1)), tmp = order[i]; order[i] = order[j]; order[j] = tmp;
        }
        this.pos = 0;
      }
      var idx = order[this.pos++];
      this.load(idx);
      var out = net.forward(this.act);
      net.backward(this.act, (out - this.data.label[idx]) / B);
    }
    for (var l = 0; l < net.L - 1; l++) this.lastGrad[l] = Math.sqrt(net.gradSq[l]);
    net.update(cfg.lr, cfg.reg, cfg.regRate);
    this.steps++;
  };

  /* Train n batches; returns the loss over the whole training set. */
  Trainer.prototype.step = function (n) {
    for (var i = 0; i < n; i++) {
      this.trainBatch();
      if (this.steps % HISTORY_EVERY === 0 && i < n - 1) this.record();  // the loss curve keeps its shape in long calls
    }
    this.record();
    this.diag = null;
    return this.loss;
  };

  Trainer.prototype.record = function () {
    this.loss = this.lossOn(this.train); this.testLoss = this.lossOn(this.test);
    var h = this.history;
    if (h[h.length - 1][0] !== this.steps) h.push([this.steps, this.loss, this.testLoss]);
    if (h.length > 1000) this.history = h.filter(function (r, k) { return k % 2 === 0 || k === h.length - 1; });
  };

  /* Per hidden layer over the training set: dead and saturated fractions and mean output (Monitor's definitions),
     the gradient norm of the last batch, and which units are alive (for the picture). */
  Trainer.prototype.diagnose = function () {
    if (this.diag) return this.diag;
    var net = this.net, H = net.L - 1, out = [], l, j, df = this.act.df, p = this.act.p;
    var active = [], sat = new Float64Array(H), sum = new Float64Array(H);
    for (l = 0; l < H; l++) active.push(new Uint8Array(net.sizes[l + 1]));
    for (var t = 0; t < this.train.length; t++) {
      this.load(this.train[t]);
      net.forward(this.act);
      for (l = 0; l < H; l++) {
        var z = net.z[l], a = net.a[l + 1], alive = active[l];
        for (j = 0; j < z.length; j++) {
          var g = Math.abs(df(z[j], p));
          if (g > 0) alive[j] = 1;
          if (g < SAT) sat[l]++;
          sum[l] += a[j];
        }
      }
    }
    for (l = 0; l < H; l++) {
      var units = net.sizes[l + 1], count = 0;
      for (j = 0; j < units; j++) count += active[l][j];
      var n = this.train.length * units;
      out.push({dead: 1 - count / units, saturated: sat[l] / n, mean: sum[l] / n, gradNorm: this.lastGrad[l],
                units: active[l]});
    }
    this.diag = out;
    return out;
  };

  global.ActlabTrainer = {
    Trainer: Trainer, makeData: makeData, mulberry32: mulberry32, clamp: clamp, FEATURES: FEATURES,
    FEATURE_NAMES: FEATURE_NAMES, DATASETS: DATASETS, INITS: INITS, REGS: REGS, DOMAIN: DOMAIN
  };
})(window);
