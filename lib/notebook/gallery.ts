// figures/index.html: every exported figure with its notebook and caption, usable offline.
import * as fs from "fs";
import * as path from "path";
import { readFigureRecords, type FigureRecord } from "./exportFigure";
import { FIGURES_DIR } from "./saveFigure";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function card(r: FigureRecord): string {
  const has = (ext: string) => r.files.includes(`${r.name}.${ext}`);
  const preview = has("png")
    ? `<a href="${r.name}.html"><img src="${r.name}.png" alt="${escapeHtml(r.caption)}" loading="lazy"></a>`
    : `<a class="noimg" href="${r.name}.html">open the interactive figure</a>`;
  const links = ["html", "png", "svg"].filter(has).map((ext) => `<a href="${r.name}.${ext}">${ext.toUpperCase()}</a>`).join(" · ");
  const problems = [...r.errors.map((e) => `<li class="err">export failed: ${escapeHtml(e)}</li>`)].join("");
  return `<figure>${preview}<figcaption><b>${escapeHtml(r.name)}</b> — ${escapeHtml(r.caption)}<br>
<span class="meta">from <code>notebooks/${escapeHtml(r.notebook)}</code> · ${links}</span>${problems ? `<ul>${problems}</ul>` : ""}</figcaption></figure>`;
}

export function galleryHtml(records: FigureRecord[]): string {
  const groups = new Map<string, FigureRecord[]>();
  for (const r of records) groups.set(r.notebook, [...(groups.get(r.notebook) ?? []), r]);
  const sections = [...groups]
    .map(([nb, rs]) => `<section><h2>${escapeHtml(nb)}</h2><div class="grid">${rs.map(card).join("\n")}</div></section>`)
    .join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>igr-ts figures</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1.5em; }
figure { margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: 0.8em; }
img { width: 100%; height: auto; }
.noimg { display: block; padding: 4em 0; text-align: center; background: #f4f4f4; }
.meta { color: #666; font-size: 0.9em; }
.err { color: #b00; }
</style></head><body>
<h1>igr-ts figures</h1>
<p>${records.length} figure(s) exported by the notebooks (<code>npm run reproduce</code>). Each opens as an
interactive page that loads plotly.js from the one <code>plotly.min.js</code> in this folder (keep them
together); PNG and SVG are for slides and papers.</p>
${sections || "<p>No figures yet: run <code>npm run reproduce</code>.</p>"}
</body></html>
`;
}

/** Writes figures/index.html from the manifest and returns its path. */
export function writeGallery(dir: string = FIGURES_DIR): string {
  const target = path.join(dir, "index.html");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(target, galleryHtml(readFigureRecords(path.join(dir, ".manifest"))));
  return target;
}
