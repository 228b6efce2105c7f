// Danfo behind one function: danfojs ships its types only through package `exports`, which the
// node10 resolution of tsc and tslab does not read, so we give the runtime module its type here.
// Loaded on first use (about 1 s), so importing igr-ts stays fast.
export type Danfo = typeof import("danfojs/dist/danfojs-browser/src/index");

let loaded: Danfo | undefined;

export function danfo(): Danfo {
  loaded ??= require("danfojs") as Danfo;
  return loaded;
}
