// Panel 2 (appendix §6): IGR-I and Gumbel-Softmax fitted to a pmf the reader picks, by Adam on
// the loss between the mean of S relaxed draws and the pmf, a few steps per animation frame so
// the loss curve and the fitted laws update live.
import {
  Adam,
  binomialTarget,
  DiscreteApproximation,
  explicitTarget,
  paperDiscreteTarget,
  SeedStream,
  fitStep,
  shouldStop,
  tf,
  type ApproxFamily,
  type ApproxSettings,
  type DiscreteTarget,
} from "../../lib/browser";
import { COLORS, element, Plotly } from "./dom";

/** Steps per animation frame, per fit: enough to progress, few enough to keep the page responsive. */
const STEPS_PER_FRAME = 4;

interface Run {
  family: ApproxFamily;
  label: string;
  color: string;
  fit: DiscreteApproximation;
  optimizer: Adam;
  seeds: SeedStream;
  done: boolean;
}

export interface FitState {
  running: boolean;
  target?: DiscreteTarget;
  steps: Record<string, number>;
  losses: Record<string, number[]>;
  /** The fitted discrete laws: IGR-I by Proposition 2, GS by the softmax of its logits. */
  fitted: Record<string, number[]>;
  error: string;
}

/** The number in input #id, checked against the input's own min and max. */
function numberInput(id: string, integer = false): number {
  const input = element<HTMLInputElement>(id);
  const value = Number(input.value);
  const min = Number(input.min);
  const max = Number(input.max);
  const label = input.labels?.[0]?.textContent?.trim() || id;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`${label} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}; got "${input.value}"`);
  }
  return value;
}

function readTarget(): DiscreteTarget {
  const choice = element<HTMLSelectElement>("fit-target").value;
  if (choice === "binomial") return binomialTarget(12, 0.3);
  if (choice === "paper") return paperDiscreteTarget();
  const text = element<HTMLInputElement>("fit-weights").value;
  const weights = text.split(/[\s,;]+/).filter((w) => w !== "").map(Number);
  if (weights.some((w) => !Number.isFinite(w))) throw new Error(`the weights must be numbers separated by commas; got "${text}"`);
  return explicitTarget(weights, { name: `weights (${weights.join(", ")})`, renormalise: true });
}

function settings(family: ApproxFamily, temperature: number, numSamples: number, maxIterations: number): ApproxSettings {
  return {
    family,
    temperature,
    // The authors' losses: squared error for IGR, the empirical KL for GS.
    loss: family === "gs" ? "empirical-kl" : "squared-error",
    learningRate: numberInput("fit-lr"),
    numSamples,
    maxIterations,
    tolerance: 1e-5,
    checkEvery: 10,
    threshold: 0.9,
    quantile: 70,
    planarLayers: 2,
    seed: 0,
  };
}

export function startFitPanel() {
  const lossDiv = element("fit-loss");
  const lawDiv = element("fit-laws");
  const button = element<HTMLButtonElement>("fit-start");
  const message = element("fit-message");
  const weights = element<HTMLInputElement>("fit-weights");
  const select = element<HTMLSelectElement>("fit-target");
  const state: FitState = { running: false, steps: {}, losses: {}, fitted: {}, error: "" };
  let runs: Run[] = [];

  // Before a fit, the plots show the chosen target alone.
  function showTarget(): void {
    if (state.running) return;
    weights.disabled = select.value !== "custom";
    try {
      state.target = readTarget();
      message.textContent = "";
    } catch (err) {
      message.textContent = (err as Error).message;
      return;
    }
    dispose();
    show();
  }
  select.addEventListener("change", showTarget);
  weights.addEventListener("change", showTarget);

  function dispose(): void {
    for (const r of runs) {
      r.fit.dispose();
      r.optimizer.dispose();
    }
    runs = [];
  }

  function fittedLaw(r: Run): number[] {
    const exact = r.fit.exactProbs();
    return exact ? exact.probs : [];
  }

  function show(): void {
    const target = state.target!;
    const categories = target.probs.map((_, k) => k);
    void Plotly.react(
      lossDiv,
      runs.map((r) => ({ type: "scatter", mode: "lines", name: r.label, x: r.fit.losses.map((_, i) => i + 1), y: r.fit.losses, line: { color: r.color } })),
      {
        height: 320,
        margin: { l: 60, r: 10, t: 40, b: 40 },
        title: { text: "loss per Adam step" },
        xaxis: { title: { text: "step" } },
        yaxis: { type: "log", title: { text: "loss" }, exponentformat: "power", dtick: 1 },
        legend: { orientation: "h", y: -0.25 },
      },
      { displaylogo: false, responsive: true },
    );
    void Plotly.react(
      lawDiv,
      [
        { type: "bar", name: `target: ${target.name}`, x: categories, y: target.probs, marker: { color: COLORS.target } },
        ...runs.map((r) => ({ type: "bar", name: `${r.label}: fitted law`, x: categories, y: state.fitted[r.family], marker: { color: r.color } })),
      ],
      {
        height: 320,
        barmode: "group",
        margin: { l: 50, r: 10, t: 40, b: 40 },
        title: { text: "target and fitted discrete laws" },
        xaxis: { title: { text: "k" }, dtick: 1 },
        legend: { orientation: "h", y: -0.25 },
      },
      { displaylogo: false, responsive: true },
    );
  }

  function frame(): void {
    if (!state.running) return;
    try {
      for (const r of runs) {
        for (let i = 0; i < STEPS_PER_FRAME && !r.done; i++) {
          fitStep(r.fit, r.optimizer, r.seeds);
          r.done = shouldStop(r.fit.losses, r.fit.settings).stop;
        }
        state.steps[r.family] = r.fit.iterations;
        state.losses[r.family] = [...r.fit.losses];
        state.fitted[r.family] = fittedLaw(r);
      }
    } catch (err) {
      stop((err as Error).message);
      return;
    }
    show();
    const summary = runs.map((r) => `${r.label}: step ${r.fit.iterations}, loss ${r.fit.losses[r.fit.losses.length - 1].toExponential(2)}`).join(" · ");
    message.textContent = summary;
    if (runs.every((r) => r.done)) stop("");
    else requestAnimationFrame(frame);
  }

  function stop(error: string): void {
    state.running = false;
    state.error = error;
    button.textContent = "Fit";
    if (error) message.textContent = `The fit stopped: ${error}`;
  }

  function start(): void {
    dispose();
    try {
      const target = readTarget();
      const numSamples = numberInput("fit-samples", true);
      const maxIterations = numberInput("fit-steps", true);
      const tauIgr = numberInput("fit-tau-igr");
      const tauGs = numberInput("fit-tau-gs");
      state.target = target;
      runs = [
        { family: "igr-i" as const, label: "IGR-I", color: COLORS.igr, temperature: tauIgr },
        { family: "gs" as const, label: "Gumbel-Softmax", color: COLORS.gs, temperature: tauGs },
      ].map(({ family, label, color, temperature }, i) => {
        const fit = new DiscreteApproximation(settings(family, temperature, numSamples, maxIterations), target);
        return { family, label, color, fit, optimizer: new Adam(fit.variables, { learningRate: fit.settings.learningRate }), seeds: new SeedStream(100 + i), done: false };
      });
      state.steps = {};
      state.losses = {};
      state.fitted = {};
    } catch (err) {
      dispose();
      stop((err as Error).message);
      return;
    }
    state.running = true;
    state.error = "";
    button.textContent = "Stop";
    requestAnimationFrame(frame);
  }

  button.addEventListener("click", () => (state.running ? stop("") : start()));
  showTarget();
  return Object.assign(state, { tensors: () => tf.memory().numTensors });
}
