// Errors for people: every data problem names the file, what was expected, what was found,
// and what to do about it.

/** A data file that exists but must not be used (truncated, corrupt, wrong magic, wrong checksum). */
export class DataFileError extends Error {
  readonly file: string;
  readonly expected: string;
  readonly found: string;

  constructor(file: string, problem: string, expected: string, found: string, fix: string) {
    super(`${file}: ${problem}. Expected ${expected}, found ${found}. ${fix}`);
    this.name = "DataFileError";
    this.file = file;
    this.expected = expected;
    this.found = found;
  }
}

/** No usable copy of a data set anywhere we looked, and downloading did not work either. */
export class DataNotFoundError extends Error {
  readonly lookedIn: string[];
  readonly urls: string[];

  constructor(message: string, lookedIn: string[], urls: string[]) {
    super(message);
    this.name = "DataNotFoundError";
    this.lookedIn = lookedIn;
    this.urls = urls;
  }
}

/** The standard advice for a bad file found at `file`. */
export function fixAdvice(file: string, downloadable: boolean): string {
  const redo = downloadable
    ? `Delete ${file} and load again to re-download it`
    : `Replace ${file} with a good copy`;
  return `${redo}, or set IGR_DATA_DIR to a folder that holds good copies.`;
}
