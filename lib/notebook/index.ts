export { approx, check, ClaimError } from "./check";
export { closeChromium, findChromium, renderImage, staticImagesEnabled } from "./chromium";
export { displayBundle } from "./display";
export type { Figure, FigureSize } from "./figure";
export { params, type NotebookMode } from "./params";
export { figureBundle, plot } from "./plot";
export { FIGURES_DIR, saveFigure, standaloneHtml } from "./saveFigure";
export { danfo, type Danfo } from "./dataframe";
export { showTable, tableHtml, type TableLike } from "./table";
