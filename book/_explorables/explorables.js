/* thermo-book explorables: theory curves redrawn from grids precomputed at build time.
 *
 * Loaded (deferred, in this order) only on pages that carry an explorable:
 * uPlot.iife.min.js, <name>.data.js (sets window.THERMO_EXPLORABLES[name]), this file.
 * No fetch and no modules, so the page works from file://.
 *
 * Each <section class="thermo-explorable" data-explorable="NAME"> gets: one labelled
 * control per entry of data.controls (a range input over grid indices, or a select), the
 * current values as text, a summary of the curves as text (aria-live), and uPlot charts.
 * The state of the last redraw is exposed as section.thermoExplorable for the tests:
 * {params: {id: value}, index: {id: i}, charts: [{title, x, series: {label: [y]}}], lines}.
 */
(function () {
  "use strict";

  var REGISTRY = window.THERMO_EXPLORABLES || {};

  // ---------------------------------------------------------------- grid tables
  function decode(table) {
    var bin = atob(table.b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return { values: new Float32Array(bytes.buffer), shape: table.shape };
  }

  function offset(shape, index) {
    var k = 0;
    for (var i = 0; i < index.length; i++) k = k * shape[i] + index[i];
    return k;
  }

  // The last axis of a table at the given leading indices, non-finite values as null.
  function row(t, index) {
    var n = t.shape[t.shape.length - 1];
    var start = offset(t.shape, index) * n;
    var out = new Array(n);
    for (var i = 0; i < n; i++) {
      var v = t.values[start + i];
      out[i] = isFinite(v) ? v : null;
    }
    return out;
  }

  function scalar(t, index) {
    var v = t.values[offset(t.shape, index)];
    return isFinite(v) ? v : null;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return "not defined";
    if (Math.abs(v) < 1e-12) return "0";
    // toPrecision, without the trailing zeros of a decimal fraction ("0.2500" -> "0.25", "100" stays)
    return Number(v).toPrecision(digits || 3).replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  }

  // ---------------------------------------------------------------- colours
  function palette() {
    var dark = document.documentElement.getAttribute("data-theme") === "dark";
    return dark
      ? { text: "#e8e8e8", grid: "rgba(255,255,255,0.16)", mark: "#bdbdbd",
          series: ["#74b6ff", "#ffab5e", "#5fd3a0", "#d7a6ff"] }
      : { text: "#1f1f1f", grid: "rgba(0,0,0,0.12)", mark: "#5c5c5c",
          series: ["#1b5fae", "#b8480c", "#0f7a52", "#7a3aa8"] };
  }

  // ---------------------------------------------------------------- the explorables
  // Each definition: charts (titles and axes), and compute(data, index) returning
  // {charts: [{x, series: [{label, y, dash}], vlines: [{x, label}]}], summary, params}.
  var DEFS = {};

  DEFS.double_descent = {
    charts: [{ title: "Test error, bias and variance against N/n", xlabel: "N/n = ψ₁/ψ₂",
               ylabel: "risk (log scale)", ylog: true }],
    prepare: function (d) {
      d.B = decode(d.bias);
      d.V = decode(d.variance);
      d.LC = decode(d.lam_c);
    },
    compute: function (d, ix) {
      var key = [ix.activation, ix.psi2, ix.lam];
      var snr = value(d, ix, "snr");
      var B = row(d.B, key), V = row(d.V, key);
      var err = [], vterm = [];
      for (var i = 0; i < B.length; i++) {
        vterm.push(V[i] === null ? null : V[i] / snr);
        err.push(B[i] === null || V[i] === null ? null : B[i] + V[i] / snr);
      }
      var lamc = scalar(d.LC, [ix.activation, ix.psi2, ix.snr]);
      var lam = value(d, ix, "lam");
      var best = argmin(err);
      var lamText = lamc === null
        ? "No crossover ridge at this SNR: the kernel limit N/n → ∞ beats the null risk R(0+) = F₁² at every λ."
        : "Crossover ridge λ_c = " + fmt(lamc, 4) + " at this SNR and ψ₂: for λ ≥ λ_c the smallest risk over the width " +
          "is at N/n → ∞; the chosen λ is " + (lam >= lamc ? "above" : "below") + " λ_c.";
      return {
        charts: [{ x: d.x, series: [
          { label: "test error R", y: err },
          { label: "bias F₁²·B", y: B, dash: [6, 4] },
          { label: "variance τ²·V", y: vterm, dash: [2, 3] }],
          vlines: [{ x: 1, label: "interpolation threshold N = n" }] }],
        lines: { lam_c: lamc },
        summary: "Smallest test error on the curve: " + fmt(err[best], 4) + " at N/n = " + fmt(d.x[best], 3) +
          ". " + lamText
      };
    }
  };

  DEFS.max_margin = {
    charts: [{ title: "Margin κ*/√ψ₁ against ψ₁", xlabel: "ψ₁ = N/d", ylabel: "κ*/√ψ₁" },
             { title: "Test error Err* against ψ₁", xlabel: "ψ₁ = N/d", ylabel: "Err*" }],
    prepare: function (d) {
      ["threshold", "psi1", "kappa", "test_error", "kappa_inf", "test_error_inf"].forEach(function (k) {
        d["_" + k] = decode(d[k]);
      });
    },
    compute: function (d, ix) {
      var key = [ix.psi2, ix.flip];
      var x = row(d._psi1, key), kap = row(d._kappa, key), err = row(d._test_error, key);
      var thr = scalar(d._threshold, key);
      var kinf = scalar(d._kappa_inf, key) / Math.sqrt(d.psi1_inf), einf = scalar(d._test_error_inf, key);
      var ks = kap.map(function (k, i) { return k === null ? null : k / Math.sqrt(x[i]); });
      var flat = function (v) { return x.map(function () { return v; }); };
      var vl = [{ x: thr, label: "separability threshold ψ₁*" }];
      return {
        charts: [
          { x: x, series: [{ label: "κ*/√ψ₁", y: ks }, { label: "ψ₁ → ∞ limit", y: flat(kinf), dash: [6, 4] }],
            vlines: vl },
          { x: x, series: [{ label: "Err*", y: err }, { label: "ψ₁ → ∞ limit", y: flat(einf), dash: [6, 4] }],
            vlines: vl }],
        lines: { threshold: thr, kappa_inf: kinf, test_error_inf: einf },
        summary: "Separability threshold ψ₁* = " + fmt(thr, 4) + ". At ψ₁ = " + fmt(x[x.length - 1], 3) +
          ": κ*/√ψ₁ = " + fmt(ks[ks.length - 1], 3) + ", Err* = " + fmt(err[err.length - 1], 3) +
          "; the ψ₁ → ∞ limits are " + fmt(kinf, 3) + " and " + fmt(einf, 3) + "."
      };
    }
  };

  DEFS.representation = {
    charts: [{ title: "Risk / Var f* against ψ₁", xlabel: "ψ₁ = N/d", ylabel: "risk / Var f*" }],
    prepare: function (d) {
      d._rf = decode(d.rf);
      d._nt = decode(d.nt);
      d._nn = decode(d.nn);
    },
    compute: function (d, ix) {
      var key = [ix.exponent];
      var rf = row(d._rf, key), nt = row(d._nt, key), nn = row(d._nn, key);
      var share = d.share[ix.exponent];
      var i1 = argmin(d.x.map(function (v) { return Math.abs(Math.log(v)); }));
      return {
        charts: [{ x: d.x, series: [
          { label: "RF", y: rf }, { label: "NT", y: nt, dash: [6, 4] }, { label: "NN", y: nn, dash: [2, 3] }],
          vlines: [{ x: 1, label: "N = d" }] }],
        lines: { share: share },
        summary: "Share of the target along the identity τ = Tr(B)²/(d‖B‖²_F) = " + fmt(share, 3) +
          " (d = " + d.d + "). At ψ₁ = " + fmt(d.x[i1], 3) + ": RF " + fmt(rf[i1], 3) + ", NT " + fmt(nt[i1], 3) +
          ", NN " + fmt(nn[i1], 3) + "; RF tends to 1 − τ = " + fmt(1 - share, 3) + " as ψ₁ → ∞."
      };
    }
  };

  // The grid value of control `id` at the current index.
  function value(d, ix, id) {
    for (var k = 0; k < d.controls.length; k++) {
      if (d.controls[k].id === id) return d.controls[k].values[ix[id]];
    }
    throw new Error("no control " + id);
  }

  function argmin(a) {
    var best = -1;
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== null && isFinite(a[i]) && (best < 0 || a[i] < a[best])) best = i;
    }
    return Math.max(best, 0);
  }

  // ---------------------------------------------------------------- controls
  function buildControls(section, name, controls, state, onChange) {
    var box = document.createElement("div");
    box.className = "thermo-explorable-controls";
    controls.forEach(function (c) {
      var id = "explorable-" + name + "-" + c.id;
      var wrap = document.createElement("div");
      wrap.className = "thermo-explorable-control";
      var label = document.createElement("label");
      label.setAttribute("for", id);
      label.textContent = c.label;
      wrap.appendChild(label);
      var input;
      if (c.kind === "select") {
        input = document.createElement("select");
        c.text.forEach(function (t, i) {
          var o = document.createElement("option");
          o.value = String(i);
          o.textContent = t;
          input.appendChild(o);
        });
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = "0";
        input.max = String(c.values.length - 1);
        input.step = "1";
      }
      input.id = id;
      input.name = c.id;
      input.value = String(c.default);
      var out = document.createElement("output");
      out.setAttribute("for", id);
      out.id = id + "-value";
      wrap.appendChild(input);
      wrap.appendChild(out);
      box.appendChild(wrap);
      var sync = function () {
        var i = parseInt(input.value, 10);
        state.index[c.id] = i;
        out.textContent = c.text[i];
        if (c.kind !== "select") input.setAttribute("aria-valuetext", c.label + " " + c.text[i]);
      };
      sync();
      input.addEventListener("input", function () { sync(); onChange(); });
      input.addEventListener("change", function () { sync(); onChange(); });
    });
    section.appendChild(box);
  }

  // ---------------------------------------------------------------- charts
  function verticalLines(getLines, pal) {
    return function (u) {
      var lines = getLines();
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = pal().mark;
      ctx.fillStyle = pal().text;
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
      ctx.font = 11 * devicePixelRatio + "px sans-serif";
      ctx.textBaseline = "alphabetic";
      lines.forEach(function (l) {
        if (l.x === null || !isFinite(l.x)) return;
        var px = u.valToPos(l.x, "x", true);
        if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) return;
        ctx.beginPath();
        ctx.moveTo(px, u.bbox.top);
        ctx.lineTo(px, u.bbox.top + u.bbox.height);
        ctx.stroke();
        var right = px + 4 * devicePixelRatio + ctx.measureText(l.label).width > u.bbox.left + u.bbox.width;
        ctx.textAlign = right ? "right" : "left";
        ctx.fillText(l.label, px + (right ? -4 : 4) * devicePixelRatio, u.bbox.top + 14 * devicePixelRatio);
      });
      ctx.restore();
    };
  }

  function yRange(log) {
    return function (u, lo, hi) {
      var mn = Infinity, mx = -Infinity;
      for (var s = 1; s < u.data.length; s++) {
        u.data[s].forEach(function (v) {
          if (v !== null && isFinite(v) && (!log || v > 0)) { mn = Math.min(mn, v); mx = Math.max(mx, v); }
        });
      }
      if (!isFinite(mn)) return log ? [0.1, 10] : [0, 1];
      if (log) {
        mx = Math.min(mx, Math.max(30 * mn, 30));
        return [Math.pow(10, Math.floor(Math.log10(mn) - 0.05)), Math.pow(10, Math.ceil(Math.log10(mx) + 0.05))];
      }
      var pad = 0.06 * (mx - mn || 1);
      return [Math.max(0, mn - pad), mx + pad];
    };
  }

  function chartWidth(section) {
    return Math.max(280, Math.min(760, (section.clientWidth || 700) - 8));
  }

  function makeChart(section, spec, view, pal, getLines) {
    var p = pal();
    var series = [{ label: spec.xlabel }];
    view.series.forEach(function (s, i) {
      series.push({ label: s.label, stroke: p.series[i % p.series.length], width: 2, dash: s.dash, spanGaps: false,
                    points: { show: false } });
    });
    var axis = function (label) {
      return { label: label, stroke: p.text, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 } };
    };
    var opts = {
      width: chartWidth(section), height: 300,
      scales: { x: { time: false, distr: 3, range: function (u, lo, hi) { return [lo, hi]; } }, y: { distr: spec.ylog ? 3 : 1, range: yRange(spec.ylog) } },
      axes: [axis(spec.xlabel), axis(spec.ylabel)],
      series: series,
      legend: { show: false },
      cursor: { show: false },
      hooks: { draw: [verticalLines(getLines, pal)] }
    };
    var data = [view.x].concat(view.series.map(function (s) { return s.y; }));
    return new uPlot(opts, data, section.querySelector(".thermo-explorable-plot-" + spec.index));
  }

  function legendHtml(view, pal) {
    var p = pal();
    return view.series.map(function (s, i) {
      var style = s.dash ? "dashed" : "solid";
      if (s.dash && s.dash[0] < 4) style = "dotted";
      return '<li><span class="thermo-explorable-swatch" style="border-top: 3px ' + style + " " +
        p.series[i % p.series.length] + '"></span>' + s.label + "</li>";
    }).join("") + (view.vlines.length ? '<li><span class="thermo-explorable-swatch" style="border-top: 2px dashed ' +
      p.mark + '"></span>' + view.vlines.map(function (l) { return l.label; }).join(", ") + "</li>" : "");
  }

  // ---------------------------------------------------------------- one explorable
  function mount(section) {
    var name = section.getAttribute("data-explorable");
    var data = REGISTRY[name], def = DEFS[name];
    if (!data || !def || typeof uPlot === "undefined") return;
    var fallback = section.querySelector(".thermo-explorable-fallback");
    if (fallback) fallback.remove();
    def.prepare(data);
    var state = { index: {}, charts: [], view: null };
    buildControls(section, name, data.controls, state, redraw);
    var summary = document.createElement("p");
    summary.className = "thermo-explorable-summary";
    summary.setAttribute("aria-live", "polite");
    summary.id = "explorable-" + name + "-summary";
    section.appendChild(summary);
    def.charts.forEach(function (spec, k) {
      spec.index = k;
      var fig = document.createElement("figure");
      fig.className = "thermo-explorable-figure";
      var cap = document.createElement("figcaption");
      cap.textContent = spec.title;
      var plot = document.createElement("div");
      plot.className = "thermo-explorable-plot-" + k;
      plot.setAttribute("role", "img");
      var legend = document.createElement("ul");
      legend.className = "thermo-explorable-legend";
      fig.appendChild(cap);
      fig.appendChild(plot);
      fig.appendChild(legend);
      section.appendChild(fig);
    });

    function params() {
      var out = {};
      data.controls.forEach(function (c) { out[c.id] = c.values[state.index[c.id]]; });
      return out;
    }

    function render(rebuild) {
      var view = def.compute(data, state.index);
      state.view = view;
      def.charts.forEach(function (spec, k) {
        var v = view.charts[k];
        var getLines = function () { return state.view.charts[k].vlines; };
        var d = [v.x].concat(v.series.map(function (s) { return s.y; }));
        if (rebuild || !state.charts[k]) {
          if (state.charts[k]) state.charts[k].destroy();
          state.charts[k] = makeChart(section, spec, v, palette, getLines);
        } else {
          state.charts[k].setData(d);
        }
        var fig = section.querySelectorAll(".thermo-explorable-figure")[k];
        fig.querySelector(".thermo-explorable-legend").innerHTML = legendHtml(v, palette);
        fig.querySelector('[role="img"]').setAttribute("aria-label", spec.title + ". " + view.summary);
      });
      summary.textContent = view.summary;
      section.thermoExplorable = {
        params: params(), index: Object.assign({}, state.index), lines: view.lines, summary: view.summary,
        colours: (function (p) {
          return { theme: document.documentElement.getAttribute("data-theme") || "light", text: p.text,
                   series: p.series.slice(0, Math.max.apply(null, view.charts.map(function (c) { return c.series.length; }))) };
        })(palette()),
        charts: view.charts.map(function (v, k) {
          var series = {};
          v.series.forEach(function (s) { series[s.label] = s.y.slice(); });
          return { title: def.charts[k].title, x: v.x.slice(), series: series };
        })
      };
    }

    function redraw() { render(false); }

    render(true);
    new MutationObserver(function () { render(true); })
      .observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    var width = section.clientWidth;
    window.addEventListener("resize", function () {
      if (section.clientWidth === width) return;
      width = section.clientWidth;
      state.charts.forEach(function (u) { u.setSize({ width: chartWidth(section), height: 300 }); });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".thermo-explorable[data-explorable]"), mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
