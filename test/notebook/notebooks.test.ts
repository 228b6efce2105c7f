// Reads every notebook and checks the course conventions: the notation table of 00 is followed in
// every formula, code cells stay short, and no figure is wider than the notebook column.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { MAX_FIGURE_WIDTH } from "../../lib/notebook/figure";

interface Cell { cell_type: string; source: string[] | string; metadata?: Record<string, unknown> }
const dir = path.join(__dirname, "..", "..", "notebooks");
const notebooks = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
const cellsOf = (file: string): Cell[] => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")).cells;
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join("") : c.source);

/** The math of a markdown text ($...$ and $$...$$), with text-like arguments (\mathrm{...}, ...) removed. */
export function mathTokens(markdown: string): string[] {
  const math = [...markdown.matchAll(/\$\$([\s\S]+?)\$\$|\$([^$]+?)\$/g)].map((m) => m[1] ?? m[2]);
  return math.flatMap((m) =>
    m.replace(/\\(?:mathrm|operatorname|text|textbf|mathbb|mathcal|mathbf)\{[^}]*\}/g, " ").match(/\\[A-Za-z]+|[A-Za-z]/g) ?? []);
}

/** The rows of 00's notation table: symbols and the alternatives that must not be written. */
function notationTable(): { cellIndex: number; rows: { symbols: string[]; banned: string[] }[] } {
  const cells = cellsOf("00-start-here.ipynb");
  const cellIndex = cells.findIndex((c) => c.cell_type === "markdown" && /^## Notation/m.test(text(c)));
  assert.ok(cellIndex >= 0, "00-start-here has a '## Notation' section");
  const rows = text(cells[cellIndex]).split("\n").filter((l) => l.startsWith("| $")).map((l) => {
    const cols = l.split("|").slice(1, -1).map((s) => s.trim());
    return { symbols: mathTokens(cols[0]), banned: mathTokens(cols[2] ?? "") };
  });
  return { cellIndex, rows };
}

describe("the course's notation", () => {
  const { cellIndex, rows } = notationTable();
  const banned = new Map(rows.flatMap((r) => r.banned.map((b) => [b, r.symbols.join(", ")] as const)));
  test("the table defines the roles and names the symbols they replace", () => {
    for (const s of ["y", "\\psi", "H", "\\tau", "K"]) assert.ok(rows.some((r) => r.symbols.includes(s)), `notation table has ${s}`);
    for (const b of ["\\lambda", "z"]) assert.ok(banned.has(b), `the table says ${b} is not written`);
    for (const [b, owner] of banned) assert.ok(!rows.some((r) => r.symbols.includes(b)), `${b} is both banned and a symbol (${owner})`);
  });
  test("the lexical check finds a banned symbol and ignores words inside \\mathrm", () => {
    assert.deepEqual(mathTokens("a $\\lambda_k + z$ b $$\\mathrm{softmax}(y)$$"), ["\\lambda", "k", "z", "y"]);
  });
  for (const file of notebooks) {
    test(`${file}: formulas use the notation table's symbols`, () => {
      cellsOf(file).forEach((c, i) => {
        if (c.cell_type !== "markdown" || (file.startsWith("00-") && i === cellIndex)) return;
        for (const t of mathTokens(text(c))) {
          assert.ok(!banned.has(t), `${file} cell ${i}: "${t}" in a formula; the notation table writes ${banned.get(t)} for that role`);
        }
        assert.ok(!/3-simplex/.test(text(c)), `${file} cell ${i}: for K = 3 the simplex is the 2-simplex Δ² (a triangle)`);
      });
    });
  }
});

describe("the course's code cells and figures", () => {
  for (const file of notebooks) {
    test(`${file}: code cells have at most 25 non-blank lines unless they hold helpers`, () => {
      cellsOf(file).forEach((c, i) => {
        if (c.cell_type !== "code") return;
        const lines = text(c).split("\n").filter((l) => l.trim() !== "");
        if (lines.length > 25) assert.match(lines[0], /helpers/i, `${file} cell ${i}: ${lines.length} non-blank lines; split it, or move helpers to lib/notebook (a helpers cell says so in its first line)`);
      });
    });
    test(`${file}: no code cell ends in a statement whose value tslab would print`, () => {
      // tslab prints the value of a cell's last expression statement: approx(...) returns the largest
      // difference and exportFigure(...) its export record, both stray numbers or records in the output.
      cellsOf(file).forEach((c, i) => {
        if (c.cell_type !== "code") return;
        const statements = text(c).split("\n").filter((l) => l.trim() !== "" && !/^[\s})\]]|^\/\//.test(l));
        const last = statements[statements.length - 1] ?? "";
        assert.doesNotMatch(last, /^(await )?(approx|exportFigure)\(/, `${file} cell ${i}: the last statement's value is printed; write void ${last.slice(0, 60)}`);
      });
    });
    test(`${file}: every figure width set in code is at most ${MAX_FIGURE_WIDTH} px`, () => {
      cellsOf(file).forEach((c, i) => {
        if (c.cell_type !== "code") return;
        for (const m of text(c).matchAll(/\bwidth:\s*(\d+)/g)) {
          assert.ok(Number(m[1]) <= MAX_FIGURE_WIDTH, `${file} cell ${i}: width ${m[1]} px is wider than the notebook column (${MAX_FIGURE_WIDTH})`);
        }
      });
    });
    test(`${file}: a figure or table computed at the mode's budget says which mode and budget`, () => {
      // Lexical: in a cell that reads the mode (params.), each exported figure's caption and each table's
      // call must carry params.stamp(...), a stamp/budget variable, or the word "mode".
      const states = /stamp\(|Stamp\b|Budget\b|\bmode\b/;
      cellsOf(file).forEach((c, i) => {
        const src = text(c);
        if (c.cell_type !== "code" || !/\bparams\./.test(src)) return;
        for (const m of src.matchAll(/exportFigure\([^\n]*/g)) assert.match(m[0], states, `${file} cell ${i}: exported caption does not say its mode and budget: ${m[0].slice(0, 120)}`);
        for (const m of src.matchAll(/showTable\([\s\S]*?\);[ \t]*$/gm)) assert.match(m[0], states, `${file} cell ${i}: table does not say its mode and budget (showTable(..., { caption }) with params.stamp): ${m[0].slice(0, 120)}`);
      });
    });
    test(`${file}: ends with numbered exercises, one of them pen-and-paper, solutions collapsed`, () => {
      const cells = cellsOf(file);
      const at = cells.findIndex((c) => c.cell_type === "markdown" && /^## Exercises/m.test(text(c)));
      assert.ok(at >= 0, `${file}: no '## Exercises' section`);
      const exercises = text(cells[at]).split(/^## Exercises/m)[1];
      assert.match(exercises, /^1\. /m, `${file}: exercises are numbered`);
      assert.match(exercises, /pen and paper/i, `${file}: at least one pen-and-paper exercise`);
      const solutions = cells.slice(at + 1).filter((c) => /^### Solutions/m.test(text(c)));
      assert.ok(solutions.length === 1, `${file}: one '### Solutions' cell after the exercises`);
      assert.equal((solutions[0].metadata?.jupyter as { source_hidden?: boolean } | undefined)?.source_hidden, true, `${file}: the solutions cell is collapsed`);
    });
  }
});
