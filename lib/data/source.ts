// Options shared by every loader for finding (and, if needed, downloading) the raw files.
import type { IdxSetSpec, KnownArchive } from "./checksums";
import type { FetchLike } from "./download";
import type { ProgressStream } from "./progress";

export interface SourceOptions {
  /** Folders to search instead of the standard list (IGR_DATA_DIR, data/<name>, then a system copy where one exists). */
  dirs?: string[];
  /** Try to download missing files (default true). */
  download?: boolean;
  /** Where downloads go (default IGR_DATA_DIR/<name> if set, else data/<name>). */
  downloadDir?: string;
  /** Base URL to download from (default: the official location). */
  baseUrl?: string;
  /** Replaces global fetch (tests). */
  fetch?: FetchLike;
  /** The files to accept instead of the official ones (names, checksums, sizes): the test suite
   *  loads small archives it builds in the official layouts. Omniglot entries not given stay official. */
  expected?: { idx?: IdxSetSpec; omniglot?: Record<string, KnownArchive> };
  /** Progress output for downloads and decoding (default stderr; IGR_QUIET=1 silences it). */
  progressStream?: ProgressStream;
}
