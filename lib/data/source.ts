// Options shared by every loader for finding (and, if needed, downloading) the raw files.
import type { FetchLike } from "./download";
import type { ProgressStream } from "./progress";

export interface SourceOptions {
  /** Folders to search instead of the standard list (IGR_DATA_DIR, data/<name>, system copies). */
  dirs?: string[];
  /** Try to download missing files (default true). */
  download?: boolean;
  /** Where downloads go (default IGR_DATA_DIR/<name> if set, else data/<name>). */
  downloadDir?: string;
  /** Base URL to download from (default: the official location). */
  baseUrl?: string;
  /** Replaces global fetch (tests). */
  fetch?: FetchLike;
  /** Progress output for downloads and decoding (default stderr; IGR_QUIET=1 silences it). */
  progressStream?: ProgressStream;
}
