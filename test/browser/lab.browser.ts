// Every notebook executed in JupyterLab in a real (headless) Chromium: open it, Run All, wait
// for the kernel to go idle, then assert that every code cell ran, no cell failed, and every
// Plotly output rendered as an SVG plot. Screenshots go to out/screenshots/ for people to look at.
// Run with: node --import tsx --test test/browser/lab.browser.ts [notebook names via IGR_NOTEBOOKS]
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { findChromium, launchChromium } from "../../lib/notebook/chromium";
import { projectPath } from "../../lib/core/paths";
import { startLab, type LabServer } from "./jupyterLab";

const notebooks = (process.env.IGR_NOTEBOOKS?.split(",") ?? fs.readdirSync(projectPath("notebooks")))
  .filter((name) => name.endsWith(".ipynb"))
  .sort();
const chromium = findChromium();
const shots = projectPath("out", "screenshots");
const CELL_TIMEOUT_MS = Number(process.env.IGR_LAB_TIMEOUT_MS ?? 600_000);

function plotlyOutputsIn(file: string): number {
  const nb = JSON.parse(fs.readFileSync(projectPath("notebooks", file), "utf8"));
  // Count the plot() calls in code cells: each must become one rendered figure.
  return nb.cells
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { source: string[] | string }) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .reduce((n: number, src: string) => n + (src.match(/^\s*await plot\(/gm)?.length ?? 0), 0);
}

async function runAll(page: Page): Promise<void> {
  await page.click('.lm-MenuBar-itemLabel:text-is("Run")');
  await page.click('.lm-Menu-itemLabel:text-is("Run All Cells")');
}

describe("notebooks in JupyterLab (headless Chromium)", { skip: chromium ? false : "no Chromium found (apt-get install -y chromium)" }, () => {
  let lab: LabServer;
  let browser: Browser;

  before(async () => {
    lab = await startLab();
    browser = await launchChromium();
    fs.mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await lab?.stop();
  });

  for (const file of notebooks) {
    test(file, { timeout: CELL_TIMEOUT_MS + 120_000 }, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      try {
        await page.goto(`${lab.url}/lab/tree/notebooks/${file}?reset&token=${lab.token}`);
        // The toolbar's indicator says "idle" before a session exists; the status bar names the
        // kernel only once it has started. Running earlier opens a "Select Kernel" dialog.
        await page
          .waitForFunction(
            () => /TypeScript \| Idle/.test((globalThis as any).document.querySelector(".jp-StatusBar-Widget")?.textContent ?? ""),
            undefined,
            { timeout: 120_000, polling: 250 },
          )
          .catch(async () => {
            await page.screenshot({ path: path.join(shots, file.replace(/\.ipynb$/, ".png")), fullPage: true });
            throw new Error(`${file}: the TypeScript kernel did not start in JupyterLab within 120 s`);
          });
        await runAll(page);
        // Done when the kernel is idle, no cell is queued ("[*]"), and either every cell ran or
        // one failed (JupyterLab then leaves the rest unrun, "[ ]").
        await page.waitForFunction(
          () => {
            const d = (globalThis as any).document;
            const prompts = Array.from(d.querySelectorAll(".jp-CodeCell .jp-InputPrompt")).map((e: any) => e.textContent.trim());
            const idle = d.querySelector(".jp-Notebook-ExecutionIndicator")?.dataset.status === "idle";
            const failed = Array.from(d.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).some(
              (e: any) => /Error/.test(e.textContent),
            );
            const ran = prompts.length > 0 && prompts.every((p: string) => /^\[\d+\]:$/.test(p));
            // A dialog (kernel died, kernel choice) would wait forever: stop and report it.
            const dialog = d.querySelector(".jp-Dialog");
            return dialog !== null || (idle && !prompts.includes("[*]:") && (ran || failed));
          },
          undefined,
          { timeout: CELL_TIMEOUT_MS, polling: 500 },
        ).catch(async (err) => {
          await page.screenshot({ path: path.join(shots, file.replace(/\.ipynb$/, ".png")), fullPage: true });
          throw new Error(`${file}: not every cell finished in JupyterLab (${(err as Error).message.split("\n")[0]})`);
        });
        // jupyterlab-plotly shows our PNG first and draws the live plot when the mouse enters
        // it: hover over every Plotly output as a reader would, and wait for its SVG.
        const plotlyOutputs = page.locator(".jp-RenderedPlotly");
        for (let i = 0; i < (await plotlyOutputs.count()); i++) {
          const output = plotlyOutputs.nth(i);
          await output.scrollIntoViewIfNeeded();
          await output.hover();
          await output.locator(".plot-container svg.main-svg").first().waitFor({ timeout: 30_000 }).catch(() => undefined);
        }
        const result = await page.evaluate(() => {
          const d = (globalThis as any).document;
          const errors = Array.from(d.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
            .map((e: any) => e.textContent as string)
            .filter((t) => /Error|UncaughtException|UnhandledPromiseRejection/.test(t));
          const unrun = Array.from(d.querySelectorAll(".jp-CodeCell .jp-InputPrompt")).filter(
            (e: any) => !/^\[\d+\]:$/.test(e.textContent.trim()),
          ).length;
          const dialog = (d.querySelector(".jp-Dialog")?.textContent ?? "") as string;
          return { dialog, errors, unrun, plots: d.querySelectorAll(".jp-RenderedPlotly .plot-container svg.main-svg").length };
        });
        // Scroll through once so every output is laid out for the screenshot.
        await page.screenshot({ path: path.join(shots, file.replace(/\.ipynb$/, ".png")), fullPage: true });
        assert.equal(result.dialog, "", `${file}: JupyterLab opened a dialog`);
        assert.deepEqual(result.errors, [], `${file}: a cell failed in JupyterLab`);
        assert.equal(result.unrun, 0, `${file}: ${result.unrun} code cell(s) did not run`);
        const expected = plotlyOutputsIn(file);
        // Each plot draws at least one main-svg (Plotly adds a second for overlays).
        assert.ok(result.plots >= expected, `${file}: ${result.plots} rendered Plotly SVGs, expected at least ${expected}`);
      } finally {
        await context.close();
      }
    });
  }
});
