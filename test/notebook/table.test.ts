import { test } from "node:test";
import assert from "node:assert/strict";
import { danfo } from "../../lib/notebook/dataframe";
import { showTable, tableHtml } from "../../lib/notebook/table";

test("a Danfo DataFrame becomes an escaped HTML table with head, tail and a size line", () => {
  const df = new (danfo().DataFrame)({ name: Array.from({ length: 10 }, (_, i) => `<r${i}>`), value: Array.from({ length: 10 }, (_, i) => i / 3) });
  const html = tableHtml(df, { maxRows: 4, digits: 3 });
  assert.match(html, /<th>name<\/th><th>value<\/th>/);
  assert.match(html, /<td>&lt;r0&gt;<\/td><td>0<\/td>/);
  assert.match(html, /<td>0\.333<\/td>/);
  assert.match(html, /<th>…<\/th>/);
  assert.match(html, /<th>9<\/th><td>&lt;r9&gt;<\/td>/, "the tail keeps its original row index");
  assert.ok(!html.includes("r5"), "the middle rows are cut");
  assert.match(html, /10 rows × 2 columns/);
  assert.equal(showTable(df), false, "nothing is displayed outside a kernel");
});
