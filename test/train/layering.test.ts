// The layers point one way: models are trained by lib/train, never the reverse (issue 16's acceptance).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

test("no file of lib/models imports from lib/train", () => {
  const dir = path.join(__dirname, "..", "..", "lib", "models");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length > 5, `expected the model files in ${dir}`);
  const offenders = files.filter((f) => /from\s+["']\.\.\/train(\/|["'])/.test(fs.readFileSync(path.join(dir, f), "utf8")));
  assert.deepEqual(offenders, [], `lib/models files that import lib/train: ${offenders.join(", ")}`);
});
