// The README's "library in five lines" is examples/five-lines.mjs, as written (the packaging test runs it).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { projectPath } from "../../lib/core/paths";

test("the README's five lines are examples/five-lines.mjs, verbatim", () => {
  const readme = fs.readFileSync(projectPath("README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## The library in five lines"));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "a ```js block follows the heading");
  assert.equal(block, fs.readFileSync(projectPath("examples", "five-lines.mjs"), "utf8"));
});
