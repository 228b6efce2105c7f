// The Plotly figure as plain JSON, the one thing plot() and saveFigure() share.
import * as fs from "fs";
import { COLORWAY } from "./palette";

export interface Figure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export interface FigureSize {
  width?: number;
  height?: number;
}

export const DEFAULT_SIZE = { width: 700, height: 450 };

/** The widest figure that fits a JupyterLab notebook column without being cut off. */
export const MAX_FIGURE_WIDTH = 820;

/**
 * The figure with its width and height filled in, so every renderer draws the same picture, and the
 * colour-blind-safe palette as its default colorway. A width above MAX_FIGURE_WIDTH is refused.
 */
export function sized(figure: Figure, size: FigureSize = {}): Required<Figure> & { layout: { width: number; height: number } } {
  if (!figure || !Array.isArray(figure.data)) {
    throw new Error("a Plotly figure needs a `data` array of traces, e.g. { data: [{ x: [1, 2], y: [3, 4] }] }");
  }
  const layout = figure.layout ?? {};
  const width = size.width ?? (layout.width as number | undefined) ?? DEFAULT_SIZE.width;
  const height = size.height ?? (layout.height as number | undefined) ?? DEFAULT_SIZE.height;
  if (!(width > 0 && width <= MAX_FIGURE_WIDTH)) {
    throw new Error(`figure width ${width} px does not fit the notebook column: use at most ${MAX_FIGURE_WIDTH} px (a wider grid can use more rows instead)`);
  }
  return { data: figure.data, layout: { colorway: COLORWAY, ...layout, width, height }, config: figure.config ?? {} };
}

export function plotlyBundlePath(): string {
  return require.resolve("plotly.js-dist/plotly.js");
}

let plotlySource: string | undefined;
export function plotlyJs(): string {
  plotlySource ??= fs.readFileSync(plotlyBundlePath(), "utf8");
  return plotlySource;
}

/** JSON that is safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function figureTitle(figure: Figure): string {
  const title = figure.layout?.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string") {
    return (title as { text: string }).text;
  }
  return "";
}
