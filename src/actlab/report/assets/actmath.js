/* actlab lab: the special functions and stable primitives the generated activation code calls as A.name(...).
   JavaScript's Math has no erf; this one is accurate to about 1e-13 (a Taylor series near 0, a continued fraction
   for erfc in the tails), enough to match NumPy on a plot and in the browser test. */
(function (global) {
  "use strict";
  var SQRT_PI = Math.sqrt(Math.PI);

  function erfSeries(x) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), accurate for |x| < 3
    var x2 = x * x, term = x, sum = x;
    for (var n = 1; n < 200; n++) {
      term *= -x2 / n;
      var add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 2 / SQRT_PI * sum;
  }

  function erfcFraction(x) {
    // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) for x >= 3, by Lentz's method
    var tiny = 1e-300, f = x, C = x, D = 0;
    for (var k = 1; k < 500; k++) {
      var a = k / 2;
      D = x + a * D; if (D === 0) D = tiny; D = 1 / D;
      C = x + a / C; if (C === 0) C = tiny;
      var delta = C * D;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return Math.exp(-x * x) / SQRT_PI / f;
  }

  function erf(x) {
    if (Number.isNaN(x)) return NaN;
    if (Math.abs(x) < 3) return erfSeries(x);
    var c = erfcFraction(Math.abs(x));
    return x > 0 ? 1 - c : c - 1;
  }

  function erfc(x) {
    if (Number.isNaN(x)) return NaN;
    if (x >= 3) return erfcFraction(x);
    if (x <= -3) return 2 - erfcFraction(-x);
    return 1 - erfSeries(x);
  }

  // The stable primitives of actlab.formula.primitives, as actlab.catalog._math evaluates them.
  function sigmoid(u) {
    if (u >= 0) return 1 / (1 + Math.exp(-u));
    var e = Math.exp(u);  // u < 0: exp(u) cannot overflow, and 1 - s never cancels
    return e / (1 + e);
  }

  function softplus(u) {
    return Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
  }

  global.A = {
    erf: erf,
    sigmoid: sigmoid,
    softplus: softplus,
    erfc: erfc,
    heaviside: function (u, h0) { return u > 0 ? 1 : (u < 0 ? 0 : (h0 === undefined ? 0.5 : h0)); },
    delta: function (u) { return 0; },  // the Dirac delta is zero away from a single point
    sech: function (u) { return 1 / Math.cosh(u); },
    csch: function (u) { return 1 / Math.sinh(u); },
    coth: function (u) { return 1 / Math.tanh(u); }
  };
})(window);
