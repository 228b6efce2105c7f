// Small DOM helpers shared by the explorer's panels.

interface PlotlyApi {
  react(div: HTMLElement, data: unknown[], layout: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
}

/** plotly.min.js, loaded by the page before the explorer bundle. */
export const Plotly = (globalThis as unknown as { Plotly: PlotlyApi }).Plotly;

export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`explorer: the page has no element #${id} (book/explorer.md and the script disagree)`);
  return found as T;
}

/**
 * A range input with its <output>. `toValue` maps the slider position to the parameter (e.g. a
 * log scale for τ), `format` prints it.
 */
export interface Slider {
  input: HTMLInputElement;
  value(): number;
}

export function slider(id: string, onInput: () => void, toValue: (raw: number) => number = (x) => x, format: (v: number) => string = (v) => v.toFixed(2)): Slider {
  const input = element<HTMLInputElement>(id);
  const output = document.querySelector<HTMLOutputElement>(`output[for="${id}"]`);
  const value = () => toValue(Number(input.value));
  const show = () => {
    if (output) output.textContent = format(value());
  };
  show();
  input.addEventListener("input", () => {
    show();
    onInput();
  });
  return { input, value };
}

/** Runs `draw` at most once per animation frame, however fast the events come. */
export function throttled(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

export const COLORS = { igr: "#1f77b4", gs: "#ff7f0e", exact: "#2ca02c", target: "#7f7f7f" };
