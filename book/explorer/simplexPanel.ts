// Panel 1: IGR-I and Gumbel-Softmax draws on the 2-simplex (K = 3), the exact argmax law
// (Proposition 2) beside the argmax frequencies of the draws, and the IGR-I density.
import { discreteProbabilities, GumbelSoftmax, InvertibleGaussian, tf } from "../../lib/browser";
import { COLORS, element, Plotly, slider, throttled } from "./dom";

const DRAWS = 1000;
/** Draws plotted per relaxation (the frequencies use all DRAWS): fewer SVG points redraw faster. */
const PLOTTED = 500;
/** Density grid: barycentric points (i, j, k)/M with i, j, k ≥ 1, (M−1)(M−2)/2 of them. */
const GRID = 36;
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
  redraws: number;
}

function densityGrid(): { points: number[][]; tensor: tf.Tensor2D } {
  const points: number[][] = [];
  for (let i = 1; i < GRID; i++) for (let j = 1; i + j < GRID; j++) points.push([i / GRID, j / GRID, (GRID - i - j) / GRID]);
  return { points, tensor: tf.tensor2d(points) };
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
  const redraw = throttled(() => draw());
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
    void Plotly.react(
      densityDiv,
      [
        {
          type: "scatterternary",
          mode: "markers",
          a: grid.points.map((q) => q[0]),
          b: grid.points.map((q) => q[1]),
          c: grid.points.map((q) => q[2]),
          marker: {
            size: 8,
            symbol: "hexagon",
            color: result.logDensity.map((v) => Math.max(v, top - LOG_DENSITY_RANGE)),
            colorscale: "Viridis",
            colorbar: { title: { text: "log q(ψ)" }, thickness: 12 },
          },
          text: result.logDensity.map((v) => `log q = ${v.toFixed(2)}`),
          hoverinfo: "a+b+c+text",
        },
      ],
      {
        height: 330,
        margin: { l: 30, r: 30, t: 40, b: 10 },
        title: { text: "IGR-I density on the simplex (softmax++)" },
        ternary: ternary({ x: [0, 1] }),
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
    timing.textContent = `computed by igr-ts in ${state.computeMs.toFixed(0)} ms, drawn in ${state.drawMs.toFixed(0)} ms`;
  }

  draw();
  return state;
}
