// A live loss chart: an SVG line per run, redrawn in place in the notebook as training steps
// come in (at most twice a second). Outside a kernel it only collects the values.
import { kernelWriter } from "../core/tslab";

export interface LossSeries {
  name: string;
  color: string;
  values: number[];
}

const W = 640, H = 220, LEFT = 60, BOTTOM = 30;

/** The chart as SVG text: every series scaled to the same axes, its last value beside its name. */
export function lossChartSvg(series: LossSeries[], totalSteps: number, caption: string): string {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const xs = (i: number) => LEFT + ((W - LEFT - 10) * i) / Math.max(1, totalSteps - 1);
  const ys = (v: number) => 10 + ((H - BOTTOM - 10) * (hi - v)) / Math.max(1e-9, hi - lo);
  const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const lines = series.map((s, j) => {
    const pts = s.values.map((v, i) => `${xs(i).toFixed(1)},${ys(v).toFixed(1)}`).join(" ");
    const last = s.values.length ? s.values[s.values.length - 1].toFixed(1) : "-";
    return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/><text x="${W - 170}" y="${20 + 16 * j}" fill="${s.color}" font-size="12">${esc(s.name)}: ${last}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="5" y="${ys(hi) + 4}" font-size="11">${hi.toFixed(0)}</text><text x="5" y="${ys(lo) + 4}" font-size="11">${lo.toFixed(0)}</text>` +
    `<text x="${LEFT}" y="${H - 8}" font-size="11">${esc(caption)}</text>` +
    `<line x1="${LEFT}" y1="${H - BOTTOM}" x2="${W - 10}" y2="${H - BOTTOM}" stroke="#888"/>${lines.join("")}</svg>`;
}

let nextId = 0;

/** A chart that one or more training runs push their per-step losses into. */
export function liveLossChart(totalSteps: number, caption: string) {
  const series: LossSeries[] = [];
  const displayId = `igr-loss-${process.pid}-${nextId++}`;
  let shown = false;
  let lastDraw = 0;
  const draw = () => {
    const write = kernelWriter();
    if (!write) return;
    write({ data: { "image/svg+xml": lossChartSvg(series, totalSteps, caption) }, metadata: {}, transient: { display_id: displayId } }, shown);
    shown = true;
    lastDraw = Date.now();
  };
  return {
    series,
    /** Starts a new line and returns a function that adds one step's loss to it. */
    line(name: string, color: string): (loss: number) => void {
      const s: LossSeries = { name, color, values: [] };
      series.push(s);
      return (loss: number) => {
        s.values.push(loss);
        if (Date.now() - lastDraw > 500 || s.values.length === totalSteps) draw();
      };
    },
    /** Draws the final state. */
    draw,
  };
}
