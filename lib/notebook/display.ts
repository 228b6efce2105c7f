// One multi-MIME display_data message. tslab's public API sends one MIME type per message,
// so we use its internal writer (tslab is pinned exactly for this reason).
import { inKernel, kernelWriter } from "../core/tslab";

export { inKernel };

export type MimeBundle = Record<string, unknown>;

/** Sends `data` as one display_data message; returns false (and sends nothing) outside a kernel. */
export function displayBundle(data: MimeBundle, metadata: Record<string, unknown> = {}): boolean {
  const write = kernelWriter();
  if (!write) return false;
  write({ data, metadata, transient: {} }, false);
  return true;
}
