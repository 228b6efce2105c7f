import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createProgress } from "../../lib/data/progress";
import { recorder } from "./fixtures";

describe("createProgress", () => {
  test("TTY: carriage-return redraws ending in a newline; percentages and counts", () => {
    const out = recorder(true);
    const p = createProgress("work", 200, { stream: out });
    p.update(50);
    p.finish("done");
    assert.match(out.text(), /^\rwork \[#{6}-{18}\]  25% 50\/200 [\d.]+s\rwork \[#{6}-{18}\]  25% 50\/200 [\d.]+s done\n$/);
  });

  test("not a TTY: no carriage returns and at most one line per interval however many updates", () => {
    const out = recorder(false);
    const p = createProgress("work", 1e6, { stream: out, lineEverySeconds: 60 });
    for (let i = 0; i < 1000; i++) p.update(i * 1000);
    p.finish();
    const lines = out.text().split("\n").filter(Boolean);
    assert.equal(lines.length, 2); // the first update and the final line
    assert.ok(!out.text().includes("\r"));
  });
});
