// The book's "Figures" page (MyST markdown): every figure the notebooks exported, grouped by
// notebook, a PNG preview linking to the interactive HTML. The files themselves are copied to
// out/book/figures/ by bin/book.ts, so the links are relative and work from file://.
import type { FigureRecord } from "../../lib/notebook/exportFigure";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function card(r: FigureRecord): string {
  const has = (ext: string) => r.files.includes(`${r.name}.${ext}`);
  const href = `figures/${r.name}.html`;
  const preview = has("png")
    ? `<a href="${href}"><img src="figures/${r.name}.png" alt="${escapeHtml(r.caption)}" loading="lazy"></a>`
    : `<a class="noimg" href="${href}">open the interactive figure</a>`;
  const links = ["html", "png", "svg"].filter(has).map((ext) => `<a href="figures/${r.name}.${ext}">${ext.toUpperCase()}</a>`).join(" · ");
  return `<figure class="igr-gallery-card">${preview}<figcaption><b>${escapeHtml(r.name)}</b>: ${escapeHtml(r.caption)}<br><small>${links}</small></figcaption></figure>`;
}

export function figuresPage(records: FigureRecord[]): string {
  const lines = [
    "# Figures",
    "",
    "Every figure the notebooks export with `exportFigure`, grouped by notebook. A preview opens the",
    "interactive figure; PNG and SVG are for slides and papers. The same files are in the",
    "repository's `figures/` folder after `npm run reproduce` (its gallery is `figures/index.html`).",
    "",
  ];
  if (records.length === 0) {
    lines.push("No figure was exported when this book was built: run `npm run reproduce`, then `npm run book`.", "");
    return lines.join("\n");
  }
  const groups = new Map<string, FigureRecord[]>();
  for (const r of records) groups.set(r.notebook, [...(groups.get(r.notebook) ?? []), r]);
  for (const [notebook, rs] of groups) {
    const page = notebook.replace(/\.ipynb$/, "");
    lines.push(`## ${page}`, "", `From {doc}\`notebooks/${page}\`.`, "", "```{raw} html", `<div class="igr-gallery">${rs.map(card).join("\n")}</div>`, "```", "");
  }
  return lines.join("\n");
}
