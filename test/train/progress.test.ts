// The progress display in terminal mode: the bar and the final evaluation's lines each end with one
// newline, whatever order they come in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProgressReporter } from "../../lib/train/progress";

function terminal(): { reporter: ProgressReporter; text: () => string } {
  const chunks: string[] = [];
  const stream = { isTTY: true, write: (c: string) => (chunks.push(c), true) } as unknown as NodeJS.WriteStream;
  return { reporter: new ProgressReporter("terminal", stream), text: () => chunks.join("") };
}

const line = { step: 10, totalSteps: 10, epoch: 0, epochs: 1, runningLoss: 1, elapsed: 1, stepsThisSession: 10 };

test("terminal: bar, epoch message, a finished task, then finish leave no blank line", () => {
  const { reporter, text } = terminal();
  reporter.update(line, true);
  reporter.message("epoch 1: done");
  reporter.taskProgress("final evaluation, images", 5, 10);
  reporter.taskProgress("final evaluation, images", 10, 10);
  reporter.finish();
  assert.ok(!text().includes("\n\n"), JSON.stringify(text()));
  // The 5/10 draw may be skipped (within 0.2 s of the bar); the last count always draws.
  assert.match(text(), /epoch 1: done\n.*\rfinal evaluation, images: 10\/10  ETA 0:00\x1b\[K\n$/s);
});

test("terminal: finish ends a bar that is still open", () => {
  const { reporter, text } = terminal();
  reporter.update(line, true);
  reporter.finish();
  assert.ok(text().endsWith("\x1b[K\n"), JSON.stringify(text()));
});
