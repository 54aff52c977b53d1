/*
 * Bandwidth explorer on the Bandwidth page.
 *
 * Reads the data embedded in <script type="application/json" id="explorer-data">
 * and draws, for the chosen data set and bandwidth h (Gyr): the observed
 * histogram (density, 1/Gyr), the Gaussian KDE at h, and the histogram of a
 * synthetic sample drawn from the KDE (outline). Everything runs in the
 * browser: no server, no network, works from file://.
 *
 * A data set is embedded either as its ages ("ages") or, for a large catalog,
 * as counts on a fine regular grid ("binned": lo, step, counts) with the counts
 * of the report's histogram ("counts") and the synthetic sample's size
 * ("sample_size"); see publish/render.py explorer_json.
 */
(function () {
  "use strict";

  var H_MIN = 0.01; // Gyr, the lecture's smallest bandwidth
  var H_MAX = 5.0; // Gyr, wider than any data-driven choice
  var SLIDER_MAX = 1000; // the slider's integer range, mapped logarithmically to [H_MIN, H_MAX]
  var WIDTH = 640;
  var HEIGHT = 360;
  var MARGIN = { left: 58, right: 16, top: 28, bottom: 46 };
  var MAX_GRID = 8000; // KDE evaluation points; the step is at most h / 3 so narrow peaks are not missed
  var Y_HEADROOM = 1.6; // the y axis reaches 1.6 x the tallest histogram bar; a taller KDE is clipped
  var KERNEL_REACH = 6; // binned KDE: bins beyond 6 h are skipped (their kernel is below exp(-18))
  var SVG_NS = "http://www.w3.org/2000/svg";

  function sliderToH(value) {
    return H_MIN * Math.pow(H_MAX / H_MIN, value / SLIDER_MAX);
  }

  function hToSlider(h) {
    var clamped = Math.min(H_MAX, Math.max(H_MIN, h));
    return Math.round((SLIDER_MAX * Math.log(clamped / H_MIN)) / Math.log(H_MAX / H_MIN));
  }

  function formatGyr(h) {
    return h >= 1 ? h.toFixed(2) : h.toPrecision(2);
  }

  // mulberry32: a tiny seeded generator, so one click of "Draw a new sample" gives one reproducible sample.
  function generator(seed) {
    var state = seed >>> 0;
    return function () {
      state = (state + 0x6d2b79f5) >>> 0;
      var t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function standardNormal(random) {
    // Box-Muller; 1 - u keeps the logarithm finite.
    var u = 1 - random();
    var v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  // Sampling a Gaussian KDE: pick an observed age uniformly, add N(0, h^2) noise.
  function sampleKde(ages, h, random) {
    var out = new Array(ages.length);
    for (var i = 0; i < ages.length; i++) {
      out[i] = ages[Math.floor(random() * ages.length)] + h * standardNormal(random);
    }
    return out;
  }

  function kdeDensity(ages, h, xs) {
    var norm = 1 / (ages.length * h * Math.sqrt(2 * Math.PI));
    return xs.map(function (x) {
      var sum = 0;
      for (var i = 0; i < ages.length; i++) {
        var z = (x - ages[i]) / h;
        sum += Math.exp(-0.5 * z * z);
      }
      return sum * norm;
    });
  }

  // Binned KDE: the kernel of every age in a bin is centred on the bin's centre (the bins are at
  // most h / 4 wide, so this is within ~0.3 % of the exact KDE); bins beyond KERNEL_REACH h are skipped.
  function binnedDensity(binned, n, h, xs) {
    var counts = binned.counts;
    var norm = 1 / (n * h * Math.sqrt(2 * Math.PI));
    return xs.map(function (x) {
      var first = Math.max(0, Math.floor((x - KERNEL_REACH * h - binned.lo) / binned.step));
      var last = Math.min(counts.length - 1, Math.ceil((x + KERNEL_REACH * h - binned.lo) / binned.step));
      var sum = 0;
      for (var j = first; j <= last; j++) {
        if (counts[j] === 0) continue;
        var z = (x - (binned.lo + (j + 0.5) * binned.step)) / h;
        sum += counts[j] * Math.exp(-0.5 * z * z);
      }
      return sum * norm;
    });
  }

  // The first index k with cumulative[k] > target (cumulative is non-decreasing).
  function searchAbove(cumulative, target) {
    var low = 0;
    var high = cumulative.length - 1;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (cumulative[mid] > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  // Sampling the binned KDE: a bin with probability count / n, a uniform age within it, plus N(0, h^2).
  function sampleBinned(binned, cumulative, size, h, random) {
    var total = cumulative[cumulative.length - 1];
    var out = new Array(size);
    for (var i = 0; i < size; i++) {
      var k = searchAbove(cumulative, random() * total);
      out[i] = binned.lo + (k + random()) * binned.step + h * standardNormal(random);
    }
    return out;
  }

  // Density histogram (1/Gyr) on fixed edges; values outside the edges are counted separately.
  function densityHistogram(values, edges) {
    var counts = new Array(edges.length - 1).fill(0);
    var outside = 0;
    var last = edges.length - 1;
    // Bin k holds edges[k] <= v < edges[k + 1]: the first k whose right edge exceeds v; the last bin is closed.
    var rights = edges.slice(1, last).concat([Infinity]);
    values.forEach(function (v) {
      if (v < edges[0] || v > edges[last]) {
        outside += 1;
        return;
      }
      counts[searchAbove(rights, v)] += 1;
    });
    return { density: toDensity(counts, values.length, edges), outside: outside };
  }

  function toDensity(counts, n, edges) {
    return counts.map(function (c, k) {
      return c / (n * (edges[k + 1] - edges[k]));
    });
  }

  // What the plot needs of a data set, from its ages or from its binned counts.
  function model(set) {
    if (set.ages) {
      return {
        observed: densityHistogram(set.ages, set.edges).density,
        sample: function (h, random) { return sampleKde(set.ages, h, random); },
        density: function (h, xs) { return kdeDensity(set.ages, h, xs); },
      };
    }
    var cumulative = [];
    set.binned.counts.reduce(function (sum, c) { cumulative.push(sum + c); return sum + c; }, 0);
    return {
      observed: toDensity(set.counts, set.n, set.edges),
      sample: function (h, random) { return sampleBinned(set.binned, cumulative, set.sample_size, h, random); },
      density: function (h, xs) { return binnedDensity(set.binned, set.n, h, xs); },
    };
  }

  function niceStep(span, ticks) {
    var raw = span / ticks;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (raw <= steps[i] * power) return steps[i] * power;
    }
    return 10 * power;
  }

  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, anchor) {
    var node = element("text", { x: x, y: y, "text-anchor": anchor || "middle" }, parent);
    node.textContent = content;
    return node;
  }

  function stepPath(edges, heights, sx, sy) {
    var d = "M" + sx(edges[0]).toFixed(2) + "," + sy(0).toFixed(2);
    heights.forEach(function (hgt, k) {
      d += "V" + sy(hgt).toFixed(2) + "H" + sx(edges[k + 1]).toFixed(2);
    });
    return d + "V" + sy(0).toFixed(2);
  }

  function Explorer(root, data) {
    this.data = data;
    this.select = root.querySelector("#explorer-dataset");
    this.slider = root.querySelector("#explorer-h");
    this.output = root.querySelector("#explorer-h-value");
    this.status = root.querySelector("#explorer-status");
    this.svg = root.querySelector("#explorer-plot");
    this.seed = 1;
    this.models = {}; // per data set name, built on first use
    this.slider.min = "0";
    this.slider.max = String(SLIDER_MAX);
    this.slider.step = "10";
    this.build();
    var first = data.datasets[0];
    // A data set too small to cross-validate has no CV bandwidth (null): the slider keeps its middle.
    if (first.cv !== null) this.slider.value = String(hToSlider(first.cv));
    var self = this;
    this.select.addEventListener("change", function () { self.draw(); });
    this.slider.addEventListener("input", function () { self.draw(); });
    root.querySelector("#explorer-redraw").addEventListener("click", function () {
      self.seed += 1;
      self.draw();
    });
    this.draw();
  }

  Explorer.prototype.build = function () {
    var svg = this.svg;
    var clip = element("clipPath", { id: "explorer-clip" }, element("defs", {}, svg));
    element("rect", {
      x: MARGIN.left, y: MARGIN.top,
      width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom,
    }, clip);
    this.axes = element("g", { class: "explorer-axes" }, svg);
    this.hist = element("path", { id: "explorer-hist", class: "explorer-hist" }, svg);
    this.synthetic = element("path", { id: "explorer-synthetic", class: "explorer-synthetic" }, svg);
    this.kde = element("path", { id: "explorer-kde", class: "explorer-kde", "clip-path": "url(#explorer-clip)" }, svg);
    var legend = element("g", { class: "explorer-legend" }, svg);
    var items = [["explorer-hist", "Observed ages"], ["explorer-kde", "KDE at h"], ["explorer-synthetic", "Synthetic sample"]];
    // The swatches take the data set's colour in draw(), as the curves they stand for do.
    this.swatches = items.map(function (item, i) {
      var x = MARGIN.left + 8 + i * 170;
      var swatch = element("rect", { x: x, y: 8, width: 18, height: 10, class: item[0] + " explorer-swatch" }, legend);
      text(legend, x + 24, 17, item[1], "start");
      return swatch;
    });
  };

  Explorer.prototype.current = function () {
    var name = this.select.value;
    return this.data.datasets.filter(function (d) { return d.name === name; })[0] || this.data.datasets[0];
  };

  Explorer.prototype.draw = function () {
    var set = this.current();
    var h = sliderToH(Number(this.slider.value));
    if (!this.models[set.name]) this.models[set.name] = model(set);
    var fitted = this.models[set.name];
    var edges = set.edges;
    var universe = this.data.age_of_universe;
    var lo = Math.min(edges[0], 0) - 1;
    var hi = Math.max(edges[edges.length - 1], universe) + 1;

    var observed = fitted.observed;
    var draws = fitted.sample(h, generator(this.seed));
    var synthetic = densityHistogram(draws, edges);
    var step = Math.max((hi - lo) / MAX_GRID, Math.min((hi - lo) / 600, h / 3));
    var xs = [];
    for (var x = lo; x <= hi; x += step) xs.push(x);
    var density = fitted.density(h, xs);

    var tallest = Math.max.apply(null, observed.concat(synthetic.density));
    var ymax = tallest * Y_HEADROOM;
    var sx = function (v) { return MARGIN.left + ((v - lo) / (hi - lo)) * (WIDTH - MARGIN.left - MARGIN.right); };
    var sy = function (v) { return HEIGHT - MARGIN.bottom - (v / ymax) * (HEIGHT - MARGIN.top - MARGIN.bottom); };

    this.drawAxes(lo, hi, ymax, sx, sy, universe);
    this.hist.setAttribute("d", stepPath(edges, observed, sx, sy) + "Z");
    this.hist.style.fill = set.colour;
    this.synthetic.setAttribute("d", stepPath(edges, synthetic.density, sx, sy));
    var d = xs.map(function (v, i) {
      return (i ? "L" : "M") + sx(v).toFixed(2) + "," + sy(Math.min(density[i], ymax * 1.05)).toFixed(2);
    }).join("");
    this.kde.setAttribute("d", d);
    this.kde.style.stroke = set.colour;
    this.swatches[0].style.fill = set.colour;
    this.swatches[1].style.stroke = set.colour;

    var label = formatGyr(h) + " Gyr";
    this.output.textContent = label;
    this.slider.setAttribute("aria-valuetext", label);
    var below = draws.filter(function (a) { return a < 0; }).length;
    var above = draws.filter(function (a) { return a > universe; }).length;
    var peak = Math.max.apply(null, density);
    this.status.textContent =
      set.label + ", h = " + label + ": a synthetic sample of " + draws.length + " ages has " + below +
      " below 0 Gyr and " + above + " above " + universe + " Gyr" +
      (synthetic.outside ? " (" + synthetic.outside + " outside the histogram's range)" : "") +
      (peak > ymax ? "; the KDE peaks at " + peak.toPrecision(3) + " per Gyr, above the plotted range." : ".");
  };

  Explorer.prototype.drawAxes = function (lo, hi, ymax, sx, sy, universe) {
    var g = this.axes;
    while (g.firstChild) g.removeChild(g.firstChild);
    var bottom = sy(0);
    element("line", { x1: sx(lo), x2: sx(hi), y1: bottom, y2: bottom, class: "explorer-axis" }, g);
    element("line", { x1: sx(lo), x2: sx(lo), y1: sy(0), y2: sy(ymax), class: "explorer-axis" }, g);
    var xstep = niceStep(hi - lo, 8);
    for (var x = Math.ceil(lo / xstep) * xstep; x <= hi; x += xstep) {
      element("line", { x1: sx(x), x2: sx(x), y1: bottom, y2: bottom + 5, class: "explorer-axis" }, g);
      text(g, sx(x), bottom + 18, String(Math.round(x * 100) / 100));
    }
    var ystep = niceStep(ymax, 4);
    for (var y = 0; y <= ymax; y += ystep) {
      element("line", { x1: sx(lo) - 5, x2: sx(lo), y1: sy(y), y2: sy(y), class: "explorer-axis" }, g);
      text(g, sx(lo) - 8, sy(y) + 4, String(Number(y.toPrecision(2))), "end");
    }
    [0, universe].forEach(function (v) {
      element("line", { x1: sx(v), x2: sx(v), y1: sy(0), y2: sy(ymax), class: "explorer-reference" }, g);
    });
    text(g, (sx(lo) + sx(hi)) / 2, HEIGHT - 8, "Age (Gyr)");
    var ylabel = text(g, 14, (sy(0) + sy(ymax)) / 2, "Density (1/Gyr)");
    ylabel.setAttribute("transform", "rotate(-90 14 " + (sy(0) + sy(ymax)) / 2 + ")");
  };

  function start() {
    var root = document.getElementById("explorer");
    var source = document.getElementById("explorer-data");
    if (!root || !source) return;
    var data = JSON.parse(source.textContent);
    if (!data.datasets || !data.datasets.length) {
      root.querySelector("#explorer-status").textContent = "The explorer has no data sets to show.";
      return;
    }
    new Explorer(root, data);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
