// The book's explorer page: IGR-I and Gumbel-Softmax computed live by igr-ts in the reader's
// browser (tfjs CPU backend, so it also works from file://). Panel 1 draws both relaxations on the
// 2-simplex (K = 3) for the reader's μ, σ, τ and δ; panel 2 fits both to a pmf (appendix §6).
// The markup is in book/explorer.md; window.igrExplorer exposes the state for the book's tests.
import { initBrowserBackend } from "../../lib/browser";
import { startFitPanel } from "./fitPanel";
import { startSimplexPanel } from "./simplexPanel";

declare global {
  interface Window {
    igrExplorer?: Record<string, unknown>;
  }
}

async function main(): Promise<void> {
  const status = document.getElementById("explorer-status");
  try {
    const backend = await initBrowserBackend();
    const simplex = startSimplexPanel();
    const fit = startFitPanel();
    window.igrExplorer = { backend, simplex, fit };
    if (status) status.textContent = `igr-ts is running in this page (TensorFlow.js, ${backend} backend).`;
  } catch (err) {
    if (status) status.textContent = `The explorer could not start: ${(err as Error).message}`;
    throw err;
  }
}

void main();
