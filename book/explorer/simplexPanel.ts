// Panel 1: IGR-I and Gumbel-Softmax draws on the 2-simplex (K = 3), the exact argmax law
// (Proposition 2) beside the argmax frequencies of the draws, and the IGR-I density.
import { discreteProbabilities, GumbelSoftmax, InvertibleGaussian, tf } from "../../lib/browser";
import { COLORS, element, Plotly, slider, throttled } from "./dom";

const DRAWS = 1000;
/** Draws plotted per relaxation (the frequencies use all DRAWS): fewer SVG points redraw faster. */
const PLOTTED = 400;
/** Density image: pixels of the triangle drawn flat (ψ₁ at the top, ψ₂ left, ψ₃ right). */
const PIXELS_X = 110;
const PIXELS_Y = 96;
const HEIGHT = Math.sqrt(3) / 2;
/** Colour range of the log density: from its maximum down this far (natural log units). */
const LOG_DENSITY_RANGE = 12;

export interface SimplexParameters {
  loc: [number, number];
  scale: [number, number];
  temperature: number;
  delta: number;
  seed: number;
}

export interface SimplexState {
  parameters: SimplexParameters;
  /** P(H = k), k = 1..3, for the argmax of softmax++ with this δ (Proposition 2 at μ − τ log δ). */
  exact: number[];
  igrFrequencies: number[];
  gsFrequencies: number[];
  /** The first draws of each relaxation, [ψ1, ψ2, ψ3] per draw. */
  igrDraws: number[][];
  gsDraws: number[][];
  computeMs: number;
  drawMs: number;
  /** From the first slider event of a burst to the next frame after its redraw (what a reader waits). */
  latencyMs: number;
  redraws: number;
}

/**
 * The density image's pixel centres as flat (x, y) and as simplex points (ψ₁, ψ₂, ψ₃) = barycentric
 * coordinates in the triangle with corners ψ₂ = (0, 0), ψ₃ = (1, 0), ψ₁ = (1/2, √3/2). Pixels
 * outside the open triangle have no simplex point (index −1). One heatmap image draws much faster
 * than one marker per grid point.
 */
function densityGrid(): { x: number[]; y: number[]; index: number[][]; tensor: tf.Tensor2D } {
  const x = Array.from({ length: PIXELS_X }, (_, i) => (i + 0.5) / PIXELS_X);
  const y = Array.from({ length: PIXELS_Y }, (_, j) => ((j + 0.5) / PIXELS_Y) * HEIGHT);
  const points: number[][] = [];
  const index = y.map((yj) =>
    x.map((xi) => {
      const a = yj / HEIGHT;
      const c = xi - a / 2;
      const b = 1 - a - c;
      if (!(a > 0 && b > 0 && c > 0)) return -1;
      points.push([a, b, c]);
      return points.length - 1;
    }),
  );
  return { x, y, index, tensor: tf.tensor2d(points) };
}

function rows(data: Float32Array | Int32Array, width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < data.length; i += width) out.push(Array.from(data.subarray(i, i + width)));
  return out;
}

function frequencies(draws: number[][]): number[] {
  const counts = [0, 0, 0];
  for (const d of draws) counts[d.indexOf(Math.max(...d))] += 1;
  return counts.map((c) => c / draws.length);
}

/** Everything the panel shows, computed by igr-ts (no tensor outlives the call). */
export function computeSimplex(p: SimplexParameters, grid: tf.Tensor2D) {
  return tf.tidy(() => {
    const loc = tf.tensor1d(p.loc);
    const scale = tf.tensor1d(p.scale);
    const igr = new InvertibleGaussian({ loc, scale, temperature: p.temperature, delta: p.delta });
    // The last category wins when max_k y_k < τ log δ, so the argmax law is Proposition 2's at
    // μ − τ log δ (δ = 1: no shift, and the law does not depend on τ).
    const exact = discreteProbabilities(tf.sub(loc, p.temperature * Math.log(p.delta)), scale);
    // Gumbel-Softmax with the same argmax law: its logits are log P(H = k).
    const gs = new GumbelSoftmax({ logits: tf.log(exact), temperature: p.temperature });
    return {
      exact: Array.from(exact.dataSync()),
      igrDraws: rows(igr.sample(DRAWS, { seed: p.seed }).dataSync() as Float32Array, 3),
      gsDraws: rows(gs.sample(DRAWS, { seed: p.seed + 1 }).dataSync() as Float32Array, 3),
      logDensity: Array.from(igr.logProb(grid).dataSync()),
    };
  });
}

function ternary(domain: { x: [number, number] }) {
  // Corner labels only: each corner is the one-hot vector of its category.
  const axis = (t: string) => ({ title: { text: t }, min: 0, showticklabels: false, ticks: "", gridcolor: "#e4e4e4" });
  return { domain: { ...domain, y: [0, 0.88] }, sum: 1, aaxis: axis("ψ₁"), baxis: axis("ψ₂"), caxis: axis("ψ₃") };
}

function scatter(all: number[][], subplot: string, color: string, name: string) {
  const draws = all.slice(0, PLOTTED);
  return {
    type: "scatterternary",
    mode: "markers",
    subplot,
    name,
    a: draws.map((d) => d[0]),
    b: draws.map((d) => d[1]),
    c: draws.map((d) => d[2]),
    marker: { size: 3.5, color, opacity: 0.55 },
    hoverinfo: "skip",
  };
}

export function startSimplexPanel() {
  const grid = densityGrid();
  const samplesDiv = element("explorer-samples");
  const barsDiv = element("explorer-bars");
  const densityDiv = element("explorer-density");
  const timing = element("explorer-timing");
  const problem = element("explorer-problem");
  let seed = 1;
  let inputAt: number | undefined;
  const scheduled = throttled(() => draw());
  const redraw = () => {
    inputAt ??= performance.now();
    scheduled();
  };
  const log10 = (x: number) => 10 ** x;
  const controls = {
    mu1: slider("mu1", redraw),
    mu2: slider("mu2", redraw),
    sigma1: slider("sigma1", redraw),
    sigma2: slider("sigma2", redraw),
    tau: slider("tau", redraw, log10, (v) => v.toPrecision(2)),
    delta: slider("delta", redraw, log10, (v) => v.toPrecision(2)),
  };
  element("explorer-resample").addEventListener("click", () => {
    seed += 2;
    redraw();
  });
  const state: SimplexState = {
    parameters: { loc: [0, 0], scale: [1, 1], temperature: 1, delta: 1, seed },
    exact: [],
    igrFrequencies: [],
    gsFrequencies: [],
    igrDraws: [],
    gsDraws: [],
    computeMs: 0,
    drawMs: 0,
    latencyMs: 0,
    redraws: 0,
  };

  function draw(): void {
    const parameters: SimplexParameters = {
      loc: [controls.mu1.value(), controls.mu2.value()],
      scale: [controls.sigma1.value(), controls.sigma2.value()],
      temperature: controls.tau.value(),
      delta: controls.delta.value(),
      seed,
    };
    const start = performance.now();
    let result: ReturnType<typeof computeSimplex>;
    try {
      result = computeSimplex(parameters, grid.tensor);
      problem.textContent = "";
    } catch (err) {
      problem.textContent = (err as Error).message;
      return;
    }
    const computed = performance.now();
    const igrFrequencies = frequencies(result.igrDraws);
    const gsFrequencies = frequencies(result.gsDraws);

    void Plotly.react(
      samplesDiv,
      [scatter(result.igrDraws, "ternary", COLORS.igr, "IGR-I"), scatter(result.gsDraws, "ternary2", COLORS.gs, "Gumbel-Softmax")],
      {
        height: 400,
        margin: { l: 40, r: 40, t: 40, b: 20 },
        showlegend: false,
        ternary: ternary({ x: [0, 0.44] }),
        ternary2: ternary({ x: [0.56, 1] }),
        annotations: [
          { text: "IGR-I", x: 0.22, y: 1.06, xref: "paper", yref: "paper", showarrow: false, font: { size: 15, color: COLORS.igr } },
          { text: "Gumbel-Softmax", x: 0.78, y: 1.06, xref: "paper", yref: "paper", showarrow: false, font: { size: 15, color: COLORS.gs } },
        ],
      },
      { displaylogo: false, responsive: true },
    );
    const categories = ["k = 1", "k = 2", "k = 3"];
    void Plotly.react(
      barsDiv,
      [
        { type: "bar", name: "Proposition 2 (exact)", x: categories, y: result.exact, marker: { color: COLORS.exact } },
        { type: "bar", name: "IGR-I argmax frequency", x: categories, y: igrFrequencies, marker: { color: COLORS.igr } },
        { type: "bar", name: "GS argmax frequency", x: categories, y: gsFrequencies, marker: { color: COLORS.gs } },
      ],
      {
        height: 330,
        barmode: "group",
        margin: { l: 50, r: 10, t: 40, b: 30 },
        title: { text: "P(argmax ψ = k)" },
        yaxis: { range: [0, 1], title: { text: "probability" } },
        legend: { orientation: "h", y: -0.15 },
      },
      { displaylogo: false, responsive: true },
    );
    const top = Math.max(...result.logDensity.filter(Number.isFinite));
    const hidden = { visible: false, range: [-0.02, 1.02], fixedrange: true };
    void Plotly.react(
      densityDiv,
      [
        {
          type: "heatmap",
          x: grid.x,
          y: grid.y,
          z: grid.index.map((row) => row.map((i) => (i < 0 ? null : result.logDensity[i]))),
          zmin: top - LOG_DENSITY_RANGE,
          zmax: top,
          colorscale: "Viridis",
          colorbar: { title: { text: "log q(ψ)" }, thickness: 12 },
          hovertemplate: "log q = %{z:.2f}<extra></extra>",
        },
        { type: "scatter", mode: "lines", x: [0, 1, 0.5, 0], y: [0, 0, HEIGHT, 0], line: { color: "#444", width: 1 }, hoverinfo: "skip", showlegend: false },
      ],
      {
        height: 330,
        margin: { l: 20, r: 20, t: 40, b: 20 },
        title: { text: "IGR-I density on the simplex (softmax++)" },
        xaxis: hidden,
        yaxis: { ...hidden, range: [-0.06, HEIGHT + 0.06], scaleanchor: "x" },
        plot_bgcolor: "rgba(0,0,0,0)",
        annotations: [
          { text: "ψ₁", x: 0.5, y: HEIGHT, yshift: 10, showarrow: false },
          { text: "ψ₂", x: 0, y: 0, xshift: -8, yshift: -10, showarrow: false },
          { text: "ψ₃", x: 1, y: 0, xshift: 8, yshift: -10, showarrow: false },
        ],
      },
      { displaylogo: false, responsive: true },
    );
    const drawn = performance.now();

    for (let k = 0; k < 3; k++) {
      element(`prop2-${k}`).textContent = result.exact[k].toFixed(6);
      element(`freq-igr-${k}`).textContent = igrFrequencies[k].toFixed(3);
      element(`freq-gs-${k}`).textContent = gsFrequencies[k].toFixed(3);
    }
    Object.assign(state, {
      parameters,
      exact: result.exact,
      igrFrequencies,
      gsFrequencies,
      igrDraws: result.igrDraws.slice(0, 20),
      gsDraws: result.gsDraws.slice(0, 20),
      computeMs: computed - start,
      drawMs: drawn - computed,
      redraws: state.redraws + 1,
    });
    const movedAt = inputAt;
    inputAt = undefined;
    timing.textContent = `computed by igr-ts in ${state.computeMs.toFixed(0)} ms, drawn by Plotly in ${state.drawMs.toFixed(0)} ms`;
    if (movedAt === undefined) return;
    // The frame after this one is painted with the new plots.
    requestAnimationFrame(() =>
      setTimeout(() => {
        state.latencyMs = performance.now() - movedAt;
        timing.textContent += `; on screen ${state.latencyMs.toFixed(0)} ms after the slider moved`;
      }, 0),
    );
  }

  draw();
  return state;
}
