// Shared test set-up: the default backend, quietly, and a small seeded generator for test data.
import { before } from "node:test";
import { initBackend } from "../../lib/core/backend";

export { mulberry32 } from "../../lib/core/prng";

/** Registers a `before` hook that initialises the default backend without its log line. */
export function useDefaultBackend(): void {
  before(async () => {
    process.env.IGR_QUIET ??= "1";
    await initBackend();
  });
}
