import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inspect } from "util";
import { FIGURES_DIR } from "../../lib/notebook/saveFigure";
import { exportFigure, readFigureRecords, type FigureRecord } from "../../lib/notebook/exportFigure";
import { galleryHtml, writeGallery } from "../../lib/notebook/gallery";

const record = (over: Partial<FigureRecord> & { name: string }): FigureRecord => ({
  caption: "a caption",
  notebook: "01-x.ipynb",
  files: ["html", "png", "svg"].map((ext) => `${over.name}.${ext}`),
  errors: [],
  skipped: [],
  date: "2026-01-01T00:00:00Z",
  ...over,
});

describe("gallery", () => {
  test("groups figures by notebook, links every written format and shows failures", () => {
    const html = galleryHtml([
      record({ name: "a", notebook: "01-x.ipynb" }),
      record({ name: "b", notebook: "02-y.ipynb", caption: "<b>&", files: ["b.html"], errors: ["png: Chromium crashed"] }),
    ]);
    assert.match(html, /<h2>01-x\.ipynb<\/h2>/);
    assert.match(html, /<h2>02-y\.ipynb<\/h2>/);
    assert.match(html, /<img src="a\.png"/);
    assert.match(html, /<a href="a\.svg">SVG<\/a>/);
    assert.ok(!html.includes('src="b.png"'), "no image link for a PNG that was not written");
    assert.match(html, /export failed: png: Chromium crashed/);
    assert.match(html, /&lt;b&gt;&amp;/);
    assert.match(html, /2 figure\(s\)/);
    assert.match(html, /<code>plotly\.min\.js<\/code> in this folder/, "says the figures need the shared plotly copy");
  });

  test("writeGallery reads the manifest folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-gallery-"));
    try {
      fs.mkdirSync(path.join(dir, ".manifest"));
      fs.writeFileSync(path.join(dir, ".manifest", "z.json"), JSON.stringify(record({ name: "z" })));
      const written = writeGallery(dir);
      assert.equal(readFigureRecords(path.join(dir, ".manifest")).length, 1);
      assert.match(fs.readFileSync(written, "utf8"), /<b>z<\/b>/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an exported figure prints as one line (a notebook cell ending in exportFigure shows it)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-export-"));
    const saved = process.env.IGR_CHROMIUM;
    process.env.IGR_CHROMIUM = path.join(dir, "no-chromium"); // HTML only: fast, no browser
    // exportFigure writes into the project's figures/: remove afterwards exactly what it added.
    const existed = ["plotly.min.js", ".manifest", ""].filter((f) => fs.existsSync(path.join(FIGURES_DIR, f)));
    try {
      const record = await exportFigure({ data: [{ x: [1], y: [2] }] }, "inspect-test");
      assert.equal(inspect(record), 'exported figure "inspect-test": inspect-test.html');
      assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(record))).sort(), ["caption", "date", "errors", "files", "name", "notebook", "skipped"]);
    } finally {
      if (saved === undefined) delete process.env.IGR_CHROMIUM;
      else process.env.IGR_CHROMIUM = saved;
      for (const f of ["inspect-test.html", path.join(".manifest", "inspect-test.json"), "plotly.min.js", ".manifest"]) {
        if (!existed.includes(f)) fs.rmSync(path.join(FIGURES_DIR, f), { recursive: true, force: true });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("exportFigure rejects names that are not plain file names", async () => {
    await assert.rejects(exportFigure({ data: [] }, "../escape"), /must be lower-case letters/);
    await assert.rejects(exportFigure({ data: [] }, "Fig 1"), /must be lower-case letters/);
  });
});
