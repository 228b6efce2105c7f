// plot(figure): one display bundle — Plotly JSON (interactive in JupyterLab and VS Code),
// a PNG from headless Chromium (GitHub, nbconvert) and a text fallback.
import { NO_CHROMIUM_HINT, renderImage, staticImagesEnabled } from "./chromium";
import { displayBundle, inKernel, type MimeBundle } from "./display";
import { figureTitle, sized, type Figure, type FigureSize } from "./figure";

let notedNoStatic = false;

function textSummary(figure: Figure): string {
  const title = figureTitle(figure);
  return `<Plotly figure: ${figure.data.length} trace(s)${title ? ` "${title}"` : ""}>`;
}

/** The MIME bundle that plot() sends; exported so it can be tested and exported without a kernel. */
export async function figureBundle(figure: Figure, size: FigureSize = {}): Promise<{ data: MimeBundle; metadata: Record<string, unknown> }> {
  const fig = sized(figure, size);
  const data: MimeBundle = { "application/vnd.plotly.v1+json": fig, "text/plain": textSummary(fig) };
  const metadata: Record<string, unknown> = {};
  if (staticImagesEnabled()) {
    try {
      data["image/png"] = (await renderImage(fig, "png")).toString("base64");
      metadata["image/png"] = { width: fig.layout.width, height: fig.layout.height };
    } catch (err) {
      console.log(`note: no static image for this figure (${(err as Error).message.split("\n")[0]})`);
    }
  } else if (!notedNoStatic && process.env.NB_STATIC !== "0") {
    notedNoStatic = true;
    console.log(`note: ${NO_CHROMIUM_HINT}; figures stay interactive`);
  }
  return { data, metadata };
}

/** Shows the figure in the notebook. Returns false (and draws nothing) outside a kernel. */
export async function plot(figure: Figure, size: FigureSize = {}): Promise<boolean> {
  if (!inKernel()) {
    sized(figure, size); // still validate, so scripts fail the same way notebooks do
    return false;
  }
  const { data, metadata } = await figureBundle(figure, size);
  return displayBundle(data, metadata);
}
