import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../../lib/core/prng";
import { imageGridFigure, imageGridMatrix } from "../../lib/notebook/imageGrid";
import { lossChartSvg } from "../../lib/notebook/lossChart";
import { COLORWAY } from "../../lib/notebook/palette";
import { logAbsDet, normal64, Phi, uniform64 } from "../../lib/notebook/reference";
import { MAX_FIGURE_WIDTH, sized } from "../../lib/notebook/figure";

describe("Float64 reference helpers", () => {
  test("uniform64 is the library's mulberry32 stream", () => {
    const a = uniform64(7), b = mulberry32(7);
    for (let i = 0; i < 5; i++) assert.equal(a(), b());
  });
  test("normal64 has mean 0, variance 1 and Φ-distributed tails", () => {
    const g = normal64(2020);
    const n = 200_000;
    let s = 0, s2 = 0, below = 0;
    for (let i = 0; i < n; i++) { const x = g(); s += x; s2 += x * x; if (x < -1) below++; }
    // standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032, a proportion ≈ 0.0008; 5 of each
    assert.ok(Math.abs(s / n) < 0.011, `mean ${s / n}`);
    assert.ok(Math.abs(s2 / n - 1) < 0.016, `variance ${s2 / n}`);
    assert.ok(Math.abs(below / n - 0.158655254) < 0.004, `P(x < −1) ${below / n}`);
  });
  test("Φ at known points (tables of the normal CDF)", () => {
    assert.ok(Math.abs(Phi(0) - 0.5) < 1e-15);
    assert.ok(Math.abs(Phi(1.959963984540054) - 0.975) < 1e-12);
    assert.ok(Math.abs(Phi(-3) - 0.0013498980316301) < 1e-15);
  });
  test("logAbsDet: sign and size against hand-computed determinants", () => {
    const d = logAbsDet([[0, 2], [3, 1]]); // det = −6, needs a pivot
    assert.equal(d.sign, -1);
    assert.ok(Math.abs(d.logAbs - Math.log(6)) < 1e-15);
    const t = logAbsDet([[2, 1, 0], [1, 2, 1], [0, 1, 2]]); // det = 4
    assert.equal(t.sign, 1);
    assert.ok(Math.abs(t.logAbs - Math.log(4)) < 1e-14);
    assert.equal(logAbsDet([[1, 2], [2, 4]]).sign, 0);
    assert.throws(() => logAbsDet([[1, 2]]), /square/);
  });
});

describe("image grid and loss chart", () => {
  test("the grid places each pixel and leaves gaps blank", () => {
    const img = (v: number) => Array.from({ length: 4 }, (_, i) => v + i); // 2×2 images
    const m = imageGridMatrix([[...img(0), ...img(10)], [...img(20), ...img(30)]], { perRow: 2, side: 2, gap: 1 });
    assert.deepEqual(m, [
      [0, 1, null, 10, 11],
      [2, 3, null, 12, 13],
      [null, null, null, null, null],
      [20, 21, null, 30, 31],
      [22, 23, null, 32, 33],
    ]);
    assert.throws(() => imageGridMatrix([[1, 2, 3]], { perRow: 1, side: 2 }), /holds 3 pixels/);
    assert.throws(() => imageGridFigure([img(0)], ["a", "b"], "t", { perRow: 1, side: 2 }), /1 rows but 2 labels/);
  });
  test("the loss chart draws one line per series and escapes names", () => {
    const svg = lossChartSvg([{ name: "a<b", color: "#000", values: [3, 2, 1] }, { name: "c", color: "#111", values: [] }], 3, "loss");
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.match(svg, /a&lt;b: 1\.0/);
  });
});

describe("figure width and palette", () => {
  test("sized refuses a figure wider than the notebook and adds the Okabe–Ito colorway", () => {
    assert.throws(() => sized({ data: [] }, { width: MAX_FIGURE_WIDTH + 1 }), /at most 820 px/);
    assert.deepEqual(sized({ data: [] }).layout.colorway, COLORWAY);
    assert.deepEqual(sized({ data: [], layout: { colorway: ["#000"] } }).layout.colorway, ["#000"]);
  });
});

describe("visibility slider", () => {
  test("step i shows trace i only", async () => {
    const { visibilitySlider } = await import("../../lib/notebook/slider");
    const [s] = visibilitySlider([0.1, 0.5], 1, "τ = ") as [{ active: number; steps: { label: string; args: [string, boolean[]] }[] }];
    assert.equal(s.active, 1);
    assert.deepEqual(s.steps.map((x) => [x.label, x.args[1]]), [["0.1", [true, false]], ["0.5", [false, true]]]);
    assert.throws(() => visibilitySlider([1], 1, ""), /not an index/);
  });
});
