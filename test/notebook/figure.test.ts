import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closeChromium, findChromium, renderImage } from "../../lib/notebook/chromium";
import { displayBundle } from "../../lib/notebook/display";
import { figureTitle, sized } from "../../lib/notebook/figure";
import { plot } from "../../lib/notebook/plot";
import { saveFigure, standaloneHtml } from "../../lib/notebook/saveFigure";

const figure = { data: [{ x: [1, 2, 3], y: [3, 1, 2], type: "scatter" }], layout: { title: { text: "a <b> & c" } } };

describe("figures outside a kernel", () => {
  test("sized fills width and height and rejects a figure without data", () => {
    const f = sized(figure, { width: 300 });
    assert.equal(f.layout.width, 300);
    assert.equal(f.layout.height, 450);
    assert.throws(() => sized({} as never), /needs a `data` array/);
  });
  test("titles are read from both title forms", () => {
    assert.equal(figureTitle(figure), "a <b> & c");
    assert.equal(figureTitle({ data: [], layout: { title: "plain" } }), "plain");
  });
  test("plot and displayBundle return false without a kernel", async () => {
    assert.equal(displayBundle({ "text/plain": "x" }), false);
    assert.equal(await plot(figure), false);
  });
  test("standalone HTML inlines plotly.js and escapes the title and the JSON", () => {
    const html = standaloneHtml(figure);
    assert.ok(html.length > 1_000_000, "plotly.js is inlined");
    assert.match(html, /<title>a &lt;b&gt; &amp; c<\/title>/);
    assert.ok(!html.includes('"a <b>'), "a '<' inside the figure JSON is escaped");
  });
  test("saveFigure refuses an unknown extension", async () => {
    await assert.rejects(saveFigure(figure, path.join(os.tmpdir(), "x.jpg")), /use a \.html, \.svg or \.png/);
  });
});

describe("static images", { skip: findChromium() ? false : "no Chromium" }, () => {
  test("PNG and SVG are drawn by Chromium and written atomically", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-fig-"));
    try {
      const png = await renderImage(figure, "png", { width: 320, height: 200 });
      assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from("PNG")]);
      assert.equal(png.readUInt32BE(16), 320, "PNG width from its IHDR chunk");
      assert.equal(png.readUInt32BE(20), 200, "PNG height from its IHDR chunk");
      const svg = await renderImage(figure, "svg");
      assert.match(svg, /^<svg[^>]*class="main-svg"/);
      for (const ext of ["png", "svg", "html"]) {
        const written = await saveFigure(figure, path.join(dir, `f.${ext}`));
        assert.ok(fs.statSync(written).size > 0);
      }
      assert.deepEqual(fs.readdirSync(dir).sort(), ["f.html", "f.png", "f.svg"], "no temporary files are left");
    } finally {
      await closeChromium();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
