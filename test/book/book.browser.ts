// The built book (out/book/, from `npm run book`) in a real headless Chromium, opened from file://
// as a reader who downloaded it would: every page draws its notebook's Plotly figures as
// interactive plots, typesets its math, links to the previous and next page, and loads without a
// console error or a failed request; the explorer reacts to a slider, its Proposition 2 values
// equal igr-ts's in Node, and its fit runs. Screenshots go to out/screenshots/book-*.png.
// Run with: npm run test:book (builds the book first).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { Browser, Page } from "playwright-core";
import * as tf from "@tensorflow/tfjs";
import { projectPath } from "../../lib/core/paths";
import { discreteProbabilities } from "../../lib/discrete/discreteProbabilities";
import { findChromium, launchChromium } from "../../lib/notebook/chromium";
import { useDefaultBackend } from "../helpers/setup";

const BOOK = projectPath("out", "book");
const SHOTS = projectPath("out", "screenshots");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const chromium = findChromium();

/** The pages in reading order, from the toc bin/book.ts wrote: landing, notebooks, explorer, figures. */
function pagesInOrder(): string[] {
  const toc = fs.readFileSync(projectPath("out", "book-src", "_toc.yml"), "utf8");
  const files = [...toc.matchAll(/^\s*- file: (\S+)$/gm)].map((m) => `${m[1]}.html`);
  return ["index.html", ...files];
}

/** How many Plotly outputs the executed notebook behind a page has. */
function plotlyOutputs(page: string): number {
  const match = /^notebooks\/(.+)\.html$/.exec(page);
  if (!match) return 0;
  const nb = JSON.parse(fs.readFileSync(projectPath("out", "book-src", "notebooks", `${match[1]}.ipynb`), "utf8"));
  return nb.cells.flatMap((c: { outputs?: Array<{ data?: Record<string, unknown> }> }) => c.outputs ?? []).filter((o: { data?: Record<string, unknown> }) => o.data?.[PLOTLY_MIME]).length;
}

interface Problems {
  console: string[];
  failed: string[];
}

async function open(browser: Browser, page: string, height = 900): Promise<{ tab: Page; problems: Problems; close: () => Promise<void> }> {
  // Screenshots are of the viewport: a full-page capture repeats the theme's sticky header.
  const context = await browser.newContext({ viewport: { width: 1280, height } });
  const tab = await context.newPage();
  const problems: Problems = { console: [], failed: [] };
  tab.on("console", (m) => m.type() === "error" && problems.console.push(m.text()));
  tab.on("pageerror", (e) => problems.console.push(`uncaught: ${e.message}`));
  tab.on("requestfailed", (r) => problems.failed.push(`${r.url()} (${r.failure()?.errorText})`));
  await tab.goto(pathToFileURL(path.join(BOOK, page)).href, { waitUntil: "load" });
  return { tab, problems, close: () => context.close() };
}

/** Waits until MathJax has typeset the page (pages without math load no MathJax). */
async function mathTypeset(tab: Page): Promise<void> {
  await tab.waitForFunction(() => {
    const g = globalThis as any;
    const hasMath = g.document.querySelector(".math") !== null;
    return !hasMath || (g.MathJax?.startup?.promise !== undefined && g.document.querySelector("mjx-container") !== null);
  }, undefined, { timeout: 60_000 });
  await tab.evaluate(() => (globalThis as any).MathJax?.startup?.promise);
}

describe("the book from file:// (headless Chromium)", { skip: chromium ? false : "no Chromium found (apt-get install -y chromium)" }, () => {
  let browser: Browser;
  const pages = fs.existsSync(BOOK) ? pagesInOrder() : [];
  useDefaultBackend();

  before(async () => {
    assert.ok(fs.existsSync(path.join(BOOK, "index.html")), `${BOOK}/index.html is missing: run npm run book first (npm run test:book does)`);
    browser = await launchChromium();
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => browser?.close());

  test("the book has the landing page, every notebook in order, the explorer and the figures", () => {
    const notebooks = fs.readdirSync(projectPath("notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
    assert.deepEqual(pages, ["index.html", ...notebooks.map((n) => `notebooks/${n.replace(/\.ipynb$/, ".html")}`), "explorer.html", "figures.html"]);
  });

  for (const [i, page] of pages.entries()) {
    test(page, { timeout: 120_000 }, async () => {
      const { tab, problems, close } = await open(browser, page);
      try {
        await mathTypeset(tab);
        const expected = plotlyOutputs(page);
        if (expected > 0) {
          await tab.waitForFunction((n) => (globalThis as any).document.querySelectorAll("div.igr-plotly .js-plotly-plot .main-svg").length >= n, expected, { timeout: 60_000 });
        }
        const seen = await tab.evaluate(() => {
          const d = (globalThis as any).document;
          const article = d.querySelector("article") ?? d.body;
          // Text a reader sees, outside code, scripts and typeset math.
          const walker = d.createTreeWalker(article, 4 /* NodeFilter.SHOW_TEXT */);
          const raw: string[] = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.parentElement.closest("pre, code, script, style, mjx-container, .highlight")) continue;
            if (/\$\$|\\\(|\\\[/.test(n.textContent)) raw.push(n.textContent.trim().slice(0, 80));
          }
          return {
            figures: d.querySelectorAll("div.igr-plotly").length,
            interactive: Array.from(d.querySelectorAll("div.igr-plotly")).filter((f: any) => f.querySelector(".js-plotly-plot .main-svg") && f.querySelector(".modebar-container")).length,
            mathElements: d.querySelectorAll(".math").length,
            typeset: d.querySelectorAll("mjx-container").length,
            mathErrors: d.querySelectorAll("mjx-merror").length,
            raw,
            prev: d.querySelector("a.left-prev")?.getAttribute("href") ?? null,
            next: d.querySelector("a.right-next")?.getAttribute("href") ?? null,
          };
        });
        assert.equal(seen.figures, expected, `${page}: ${seen.figures} Plotly figures on the page, ${expected} in the executed notebook`);
        assert.equal(seen.interactive, expected, `${page}: every figure is an interactive Plotly plot (with its mode bar)`);
        assert.deepEqual(seen.raw, [], `${page}: math left untypeset`);
        assert.equal(seen.mathErrors, 0, `${page}: MathJax reported a TeX error`);
        if (seen.mathElements > 0) assert.ok(seen.typeset >= seen.mathElements, `${page}: ${seen.typeset} typeset formulas for ${seen.mathElements} math elements`);
        // Previous and next follow the reading order (the landing page has no previous).
        const resolve = (href: string | null) => (href === null ? null : path.posix.normalize(path.posix.join(path.posix.dirname(page), href.split("#")[0])));
        assert.equal(resolve(seen.prev), i > 0 ? pages[i - 1] : null, `${page}: the "previous" link`);
        assert.equal(resolve(seen.next), i + 1 < pages.length ? pages[i + 1] : null, `${page}: the "next" link`);
        assert.deepEqual(problems.failed, [], `${page}: failed requests`);
        assert.deepEqual(problems.console, [], `${page}: console errors`);
        if (seen.next !== null) {
          await Promise.all([tab.waitForURL(pathToFileURL(path.join(BOOK, pages[i + 1])).href), tab.click("a.right-next")]);
        }
        if (page === "index.html" || page === "notebooks/03-discrete-probabilities.html") {
          await tab.goto(pathToFileURL(path.join(BOOK, page)).href);
          await mathTypeset(tab);
          await tab.screenshot({ path: path.join(SHOTS, `book-${path.basename(page, ".html")}.png`), fullPage: page === "index.html" });
        }
      } finally {
        await close();
      }
    });
  }

  test("the explorer reacts to a slider, agrees with igr-ts in Node and runs a fit", { timeout: 180_000 }, async () => {
    const { tab, problems, close } = await open(browser, "explorer.html", 1900);
    try {
      await tab.waitForFunction(() => (globalThis as any).igrExplorer?.simplex?.redraws >= 1, undefined, { timeout: 60_000 });
      const snapshot = () =>
        tab.evaluate(() => {
          const d = (globalThis as any).document;
          const state = (globalThis as any).igrExplorer.simplex;
          return {
            backend: (globalThis as any).igrExplorer.backend,
            state: JSON.parse(JSON.stringify(state)),
            points: Array.from(d.querySelectorAll("#explorer-samples path.point")).slice(0, 200).map((p: any) => p.getAttribute("transform")),
            bars: Array.from(d.querySelectorAll("#explorer-bars .bars path")).map((p: any) => p.getAttribute("d")),
            table: [0, 1, 2].map((k) => Number(d.getElementById(`prop2-${k}`).textContent)),
          };
        });
      const before = await snapshot();
      assert.equal(before.backend, "cpu", "the explorer runs on tfjs's CPU backend (no .wasm to fetch from file://)");
      assert.ok(before.points.length > 0 && before.bars.length === 9, `points and 9 bars are drawn (${before.points.length} points, ${before.bars.length} bars)`);

      // Drag μ₁ up by 20 steps (1.0) with the keyboard, as a reader would.
      const start = Date.now();
      await tab.focus("#mu1");
      for (let k = 0; k < 20; k++) await tab.keyboard.press("ArrowRight");
      await tab.waitForFunction((n) => (globalThis as any).igrExplorer.simplex.redraws > n, before.state.redraws);
      await tab.waitForFunction(() => {
        const s = (globalThis as any).igrExplorer.simplex;
        return Math.abs(s.parameters.loc[0] - Number((globalThis as any).document.getElementById("mu1").value)) < 1e-9;
      });
      const reactMs = Date.now() - start;
      await tab.waitForTimeout(300); // let Plotly finish its last redraw
      const after = await snapshot();
      assert.ok(Math.abs(after.state.parameters.loc[0] - before.state.parameters.loc[0] - 1) < 1e-9, "μ₁ moved by 1");
      assert.notDeepEqual(after.points, before.points, "the drawn points moved");
      assert.notDeepEqual(after.bars, before.bars, "the bar heights changed");
      // One slider step, timed by the page from the input event to the painted frame.
      const redraws = after.state.redraws;
      await tab.keyboard.press("ArrowLeft");
      await tab.waitForFunction((n) => (globalThis as any).igrExplorer.simplex.redraws > n, redraws);
      await tab.waitForFunction((n) => (globalThis as any).igrExplorer.simplex.latencyMs > 0 && (globalThis as any).document.getElementById("explorer-timing").textContent.includes("on screen"), redraws);
      const step = await tab.evaluate(() => JSON.parse(JSON.stringify((globalThis as any).igrExplorer.simplex)));
      console.log(
        `explorer: one slider step is on screen after ${step.latencyMs.toFixed(0)} ms (igr-ts ${step.computeMs.toFixed(0)} ms, Plotly ${step.drawMs.toFixed(0)} ms); 20 key presses took ${reactMs} ms`,
      );
      assert.ok(step.latencyMs < 1000, `a slider step is on screen after ${step.latencyMs.toFixed(0)} ms; it should be well under a second`);
      await tab.keyboard.press("ArrowRight");
      await tab.waitForFunction((n) => (globalThis as any).igrExplorer.simplex.redraws > n, step.redraws);

      // Proposition 2 in the page = Proposition 2 in Node for the same μ, σ, τ, δ (shifted by τ log δ).
      for (const snap of [before, after]) {
        const p = snap.state.parameters;
        const expected = tf.tidy(() =>
          Array.from(discreteProbabilities(tf.sub(tf.tensor1d(p.loc), p.temperature * Math.log(p.delta)), tf.tensor1d(p.scale)).dataSync()),
        );
        // Both are the same float32 rule (Float64 inside) on different backends: equal to ~1e−7.
        for (let k = 0; k < 3; k++) {
          assert.ok(Math.abs(snap.state.exact[k] - expected[k]) < 1e-6, `P(H=${k + 1}): page ${snap.state.exact[k]}, Node ${expected[k]}`);
          // The table shows 6 decimals.
          assert.ok(Math.abs(snap.table[k] - expected[k]) < 6e-7, `table P(H=${k + 1}) = ${snap.table[k]}, Node ${expected[k]}`);
        }
      }
      await tab.locator("#explorer-status").scrollIntoViewIfNeeded();
      await tab.evaluate(() => (globalThis as any).document.activeElement?.blur());
      await tab.screenshot({ path: path.join(SHOTS, "book-explorer.png") });

      // The fit panel: a short fit of both relaxations, its loss curve drawn live.
      await tab.fill("#fit-steps", "60");
      await tab.click("#fit-start");
      await tab.waitForFunction(() => {
        const f = (globalThis as any).igrExplorer.fit;
        return !f.running && (f.steps["igr-i"] ?? 0) > 0;
      }, undefined, { timeout: 120_000 });
      const fit = await tab.evaluate(() => {
        const d = (globalThis as any).document;
        const f = (globalThis as any).igrExplorer.fit;
        return { error: f.error, steps: f.steps, losses: f.losses, fitted: f.fitted, curves: d.querySelectorAll("#fit-loss .scatterlayer .trace").length };
      });
      assert.equal(fit.error, "");
      assert.deepEqual(fit.steps, { "igr-i": 60, gs: 60 }, "both fits ran their 60 steps");
      assert.equal(fit.curves, 2, "two loss curves are drawn");
      for (const family of ["igr-i", "gs"]) {
        const l = fit.losses[family] as number[];
        assert.ok(l[l.length - 1] < l[0], `${family}: the loss fell (${l[0]} → ${l[l.length - 1]})`);
        const total = (fit.fitted[family] as number[]).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - 1) < 1e-4, `${family}: the fitted law sums to ${total}`);
      }
      await tab.locator("#fit-target").scrollIntoViewIfNeeded();
      await tab.screenshot({ path: path.join(SHOTS, "book-explorer-fit.png") });
      assert.deepEqual(problems.failed, [], "explorer: failed requests");
      assert.deepEqual(problems.console, [], "explorer: console errors");
    } finally {
      await close();
    }
  });
});
