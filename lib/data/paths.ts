// Where data lives. Paths are resolved from the project root, not from the working directory,
// because notebooks run with cwd = notebooks/.
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";

/** The project's own data folder: downloads go to `data/<name>/`, decoded caches to `data/cache/`. */
export const PROJECT_DATA_DIR = path.join(PROJECT_ROOT, "data");

/** IGR_DATA_DIR if set: a folder holding `mnist/`, `fashion-mnist/`, `omniglot/`. */
export function userDataDir(): string | undefined {
  const raw = process.env.IGR_DATA_DIR?.trim();
  return raw ? path.resolve(raw) : undefined;
}

/** A described place to look for data, so "not found" messages can list them. */
export interface SearchPlace {
  dir: string;
  why: string;
}

/** IGR_DATA_DIR/<name> (if set), then data/<name>, then any extra places. */
export function standardPlaces(name: string, extra: SearchPlace[] = []): SearchPlace[] {
  const places: SearchPlace[] = [];
  const user = userDataDir();
  if (user) places.push({ dir: path.join(user, name), why: "IGR_DATA_DIR" });
  places.push({ dir: path.join(PROJECT_DATA_DIR, name), why: "project data folder" });
  return places.concat(extra);
}

/** Where downloads go: IGR_DATA_DIR/<name> if IGR_DATA_DIR is set, else data/<name>. */
export function downloadDirFor(name: string): string {
  const user = userDataDir();
  return path.join(user ?? PROJECT_DATA_DIR, name);
}

export function describePlaces(places: SearchPlace[]): string {
  const lines = places.map((p, i) => `  ${i + 1}. ${p.dir} (${p.why})`);
  if (!userDataDir()) lines.push("  (IGR_DATA_DIR is not set; set it to a folder holding <name>/ subfolders to add a place)");
  return lines.join("\n");
}
