// saveFigure(figure, "name.html" | "name.svg" | "name.png"): exports under figures/.
import * as fs from "fs";
import * as path from "path";
import { projectPath } from "../core/paths";
import { renderImage } from "./chromium";
import { figureTitle, plotlyJs, scriptJson, sized, type Figure, type FigureSize } from "./figure";

export const FIGURES_DIR = projectPath("figures");

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** A standalone page: plotly.js inlined, so it opens offline. */
export function standaloneHtml(figure: Figure, size: FigureSize = {}): string {
  const fig = sized(figure, size);
  const title = figureTitle(fig) || "igr-ts figure";
  return [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`,
    `<script>${plotlyJs().replace(/<\/script/gi, "<\\/script")}</script></head>`,
    '<body><div id="figure"></div>',
    `<script>const fig = ${scriptJson(fig)}; Plotly.newPlot("figure", fig.data, fig.layout, Object.assign({responsive: true}, fig.config));</script>`,
    "</body></html>",
  ].join("\n");
}

/**
 * Writes the figure as .html, .svg or .png. A relative path is taken under figures/.
 * Returns the absolute path written. PNG and SVG need Chromium (see findChromium).
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
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, target);
  return target;
}
