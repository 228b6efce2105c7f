// Image grids as one Plotly heatmap: rows of equally sized grey images (28×28 by default), a blank
// gap between images, a label per row. Used for data examples, reconstructions and samples.
import type { Figure } from "./figure";

export interface ImageGridOptions {
  /** Images per row (each row's array holds perRow images back to back). */
  perRow: number;
  /** Side of a square image in pixels (28 for MNIST-sized images). */
  side?: number;
  /** Blank pixels between neighbouring images. */
  gap?: number;
}

/** The heatmap matrix: null where there is no image (drawn blank). */
export function imageGridMatrix(rows: ArrayLike<number>[], options: ImageGridOptions): (number | null)[][] {
  const { perRow, side = 28, gap = 2 } = options;
  const area = side * side;
  rows.forEach((imgs, r) => {
    if (imgs.length !== perRow * area) {
      throw new Error(`image grid row ${r} holds ${imgs.length} pixels; ${perRow} images of ${side}×${side} need ${perRow * area}`);
    }
  });
  const width = perRow * (side + gap) - gap;
  const out: (number | null)[][] = [];
  rows.forEach((imgs, r) => {
    if (r > 0) for (let g = 0; g < gap; g++) out.push(new Array(width).fill(null));
    for (let y = 0; y < side; y++) {
      const line: (number | null)[] = new Array(width).fill(null);
      for (let i = 0; i < perRow; i++) for (let x = 0; x < side; x++) line[i * (side + gap) + x] = imgs[i * area + y * side + x];
      out.push(line);
    }
  });
  return out;
}

/** A figure of image rows with one label per row; pixel values in [0, 1], dark = 1. */
export function imageGridFigure(rows: ArrayLike<number>[], labels: string[], title: string, options: ImageGridOptions): Figure {
  if (labels.length !== rows.length) throw new Error(`image grid: ${rows.length} rows but ${labels.length} labels`);
  const { side = 28, gap = 2 } = options;
  return {
    data: [{ type: "heatmap", z: imageGridMatrix(rows, options), colorscale: "Greys", reversescale: true, showscale: false, zmin: 0, zmax: 1, hoverinfo: "skip" }],
    layout: {
      title: { text: title },
      yaxis: { autorange: "reversed", scaleanchor: "x", tickvals: labels.map((_, i) => i * (side + gap) + side / 2), ticktext: labels, showgrid: false, zeroline: false },
      xaxis: { visible: false },
      margin: { l: 150, r: 20, t: 50, b: 20 },
    },
  };
}
