// The project root, found from this file's real location: notebooks reach lib/ through the
// notebooks/lib symlink, and tslab reports the link's path as __dirname.
import * as fs from "fs";
import * as path from "path";

export const PROJECT_ROOT = path.resolve(fs.realpathSync(__dirname), "../..");

/** A path inside the project, e.g. projectPath("figures", "fig1.png"). */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
