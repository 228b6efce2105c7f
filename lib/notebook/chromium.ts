// Static images of Plotly figures, drawn by a headless Chromium through playwright-core.
// One browser per process, started on first use; close it with closeChromium() in scripts.
import * as fs from "fs";
import type { Browser, Page } from "playwright-core";
import { plotlyBundlePath, sized, type Figure, type FigureSize } from "./figure";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

// Without these flags Chromium keeps dialling out on a closed network and can hang at start.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium to use (IGR_CHROMIUM, else a system one), or undefined if there is none. */
export function findChromium(): string | undefined {
  const forced = process.env.IGR_CHROMIUM;
  if (forced) return fs.existsSync(forced) ? forced : undefined;
  return CANDIDATES.find((p) => fs.existsSync(p));
}

export const NO_CHROMIUM_HINT =
  "static images are off: no Chromium found (Debian: apt-get install -y chromium, or set IGR_CHROMIUM=/path/to/chrome)";

/** Static images are on unless NB_STATIC=0 or there is no Chromium. */
export function staticImagesEnabled(): boolean {
  return process.env.NB_STATIC !== "0" && findChromium() !== undefined;
}

let browser: Promise<Browser> | undefined;
let page: Promise<Page> | undefined;

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(NO_CHROMIUM_HINT);
  const { chromium } = await import("playwright-core");
  // playwright gives every launch a fresh, temporary profile of its own.
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

async function plotlyPage(): Promise<Page> {
  browser ??= launchChromium();
  page ??= (async () => {
    const p = await (await browser!).newPage();
    await p.setContent("<!doctype html><html><body><div id='plot'></div></body></html>");
    await p.addScriptTag({ path: plotlyBundlePath() });
    return p;
  })();
  return page;
}

export type ImageFormat = "png" | "svg";

/** PNG bytes or SVG text of the figure, drawn by plotly.js in Chromium. */
export async function renderImage(figure: Figure, format: "png", size?: FigureSize): Promise<Buffer>;
export async function renderImage(figure: Figure, format: "svg", size?: FigureSize): Promise<string>;
export async function renderImage(figure: Figure, format: ImageFormat, size: FigureSize = {}): Promise<Buffer | string> {
  const fig = sized(figure, size);
  const p = await plotlyPage();
  const url = await p.evaluate(
    async ({ fig, format }) => {
      const Plotly = (globalThis as any).Plotly;
      const div = (globalThis as any).document.getElementById("plot");
      await Plotly.newPlot(div, fig.data, fig.layout, { ...fig.config, staticPlot: true });
      const image: string = await Plotly.toImage(div, { format, width: fig.layout.width, height: fig.layout.height });
      Plotly.purge(div);
      return image;
    },
    { fig, format },
  );
  const comma = url.indexOf(",");
  const header = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (format === "png") return Buffer.from(body, "base64");
  return header.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
}

export async function closeChromium(): Promise<void> {
  const b = browser;
  browser = undefined;
  page = undefined;
  if (b) await (await b).close();
}
