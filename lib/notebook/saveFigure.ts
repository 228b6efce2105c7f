// saveFigure(figure, "name.html" | "name.svg" | "name.png"): exports under figures/.
// HTML figures load plotly.js from one minified copy beside them (plotly.min.js, 4.8 MB) by a
// relative link, so a folder of figures carries plotly once, not once per figure, and still
// opens offline and from file://.
import * as fs from "fs";
import * as path from "path";
import { projectPath } from "../core/paths";
import { renderImage } from "./chromium";
import { figureTitle, scriptJson, sized, type Figure, type FigureSize } from "./figure";

export const FIGURES_DIR = projectPath("figures");

/** The file name HTML figures load plotly.js from, relative to their own folder. */
export const PLOTLY_MIN_FILE = "plotly.min.js";

/** The minified plotly.js bundle of the npm package `plotly.js-dist-min`. */
export function plotlyMinPath(): string {
  return require.resolve("plotly.js-dist-min/plotly.min.js");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** A figure page that loads plotly.js from `plotly.min.js` in its own folder (see saveFigure). */
export function standaloneHtml(figure: Figure, size: FigureSize = {}): string {
  const fig = sized(figure, size);
  const title = figureTitle(fig) || "igr-ts figure";
  return [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`,
    `<script src="${PLOTLY_MIN_FILE}"></script></head>`,
    '<body><div id="figure"></div>',
    `<script>const fig = ${scriptJson(fig)}; Plotly.newPlot("figure", fig.data, fig.layout, Object.assign({responsive: true}, fig.config));</script>`,
    "</body></html>",
  ].join("\n");
}

/** Puts plotly.min.js into `dir` unless the same file is already there; returns its path. */
export function ensurePlotlyBeside(dir: string): string {
  const source = plotlyMinPath();
  const target = path.join(dir, PLOTLY_MIN_FILE);
  if (fs.existsSync(target) && fs.statSync(target).size === fs.statSync(source).size) return target;
  fs.mkdirSync(dir, { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(source, temporary);
  fs.renameSync(temporary, target);
  return target;
}

/**
 * Writes the figure as .html, .svg or .png. A relative path is taken under figures/.
 * Returns the absolute path written. PNG and SVG need Chromium (see findChromium). An .html
 * figure also puts plotly.min.js beside itself (once per folder), which it links to.
 */
export async function saveFigure(figure: Figure, file: string, size: FigureSize = {}): Promise<string> {
  const target = path.isAbsolute(file) ? file : path.join(FIGURES_DIR, file);
  const ext = path.extname(target).toLowerCase();
  let content: string | Buffer;
  if (ext === ".html") content = standaloneHtml(figure, size);
  else if (ext === ".svg") content = await renderImage(figure, "svg", size);
  else if (ext === ".png") content = await renderImage(figure, "png", size);
  else throw new Error(`saveFigure: cannot export "${file}": use a .html, .svg or .png file name`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (ext === ".html") ensurePlotlyBeside(path.dirname(target));
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, target);
  return target;
}
