// Quick/full switch for notebooks: NB_MODE=quick (default; CI) or NB_MODE=full (real results).

export type NotebookMode = "quick" | "full";

function readMode(): NotebookMode {
  const raw = (process.env.NB_MODE || "quick").trim().toLowerCase();
  if (raw === "quick" || raw === "full") return raw;
  throw new Error(`NB_MODE="${raw}" is not a mode: use NB_MODE=quick (small, fast) or NB_MODE=full (real results)`);
}

export const params = {
  mode: readMode(),
  get quick(): boolean {
    return this.mode === "quick";
  },
  /** "quick mode, <budget>" or "full mode, <budget>": every figure and table states what it ran with. */
  stamp(budget: string): string {
    return `${this.mode} mode, ${budget}`;
  },
  /** The quick-mode value in quick mode, the full-mode value in full mode. */
  pick<T>(quick: T, full: T): T {
    return this.mode === "quick" ? quick : full;
  },
};
