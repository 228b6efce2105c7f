import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closeChromium, findChromium, launchChromium, renderImage } from "../../lib/notebook/chromium";
import { displayBundle } from "../../lib/notebook/display";
import { figureTitle, sized } from "../../lib/notebook/figure";
import { plot } from "../../lib/notebook/plot";
import { ensurePlotlyBeside, plotlyMinPath, PLOTLY_MIN_FILE, saveFigure, standaloneHtml } from "../../lib/notebook/saveFigure";

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
  test("standalone HTML links the shared plotly.min.js and escapes the title and the JSON", () => {
    const html = standaloneHtml(figure);
    assert.match(html, /<script src="plotly\.min\.js"><\/script>/);
    assert.ok(html.length < 10_000, `plotly.js is linked, not inlined (${html.length} characters)`);
    assert.match(html, /<title>a &lt;b&gt; &amp; c<\/title>/);
    assert.ok(!html.includes('"a <b>'), "a '<' inside the figure JSON is escaped");
  });
  test("HTML figures in one folder share one plotly.min.js, copied once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igr-fig-html-"));
    try {
      await saveFigure(figure, path.join(dir, "a.html"));
      const shared = path.join(dir, PLOTLY_MIN_FILE);
      const first = fs.statSync(shared);
      assert.equal(first.size, fs.statSync(plotlyMinPath()).size);
      await saveFigure(figure, path.join(dir, "b.html"));
      assert.equal(fs.statSync(shared).mtimeMs, first.mtimeMs, "an existing copy is kept");
      fs.writeFileSync(shared, "truncated");
      assert.equal(ensurePlotlyBeside(dir), shared);
      assert.equal(fs.statSync(shared).size, first.size, "a damaged copy is replaced");
      assert.deepEqual(fs.readdirSync(dir).sort(), ["a.html", "b.html", PLOTLY_MIN_FILE]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
      assert.deepEqual(fs.readdirSync(dir).sort(), ["f.html", "f.png", "f.svg", PLOTLY_MIN_FILE], "no temporary files are left");
      // The exported page draws from file://, offline, with the plotly.min.js beside it.
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const failed: string[] = [];
        page.on("requestfailed", (r) => failed.push(r.url()));
        await page.goto(`file://${path.join(dir, "f.html")}`);
        await page.locator("#figure svg.main-svg").first().waitFor({ timeout: 20_000 });
        assert.deepEqual(failed, []);
      } finally {
        await browser.close();
      }
    } finally {
      await closeChromium();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
