// Are we inside a tslab (Jupyter) kernel? Only a running kernel has loaded tslab's Jupyter module. Not to be
// confused with the compute kernels of lib/kernels/.

export interface DisplayMessage {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}

type Writer = (msg: DisplayMessage, update: boolean) => void;

/** tslab's internal display writer, or null outside a kernel (plain node, tests). */
export function kernelWriter(): Writer | null {
  let path: string;
  try {
    path = require.resolve("tslab/dist/jupyter");
  } catch {
    return null;
  }
  const loaded = require.cache[path];
  return loaded ? ((loaded.exports as { lastWriteDisplayData: Writer | null }).lastWriteDisplayData ?? null) : null;
}

export function inKernel(): boolean {
  return kernelWriter() !== null;
}
