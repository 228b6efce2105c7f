// The project root, found from this file's real location: notebooks reach lib/ through the
// notebooks/lib symlink, and tslab reports the link's path as __dirname. It is the nearest folder
// above that holds package.json: lib/core/ in a checkout, dist/lib/core/ in the built package.
import * as fs from "fs";
import * as path from "path";

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "../.."); // no package.json above: the layout of a checkout
  }
}

export const PROJECT_ROOT = packageRoot(fs.realpathSync(__dirname));

/** A path inside the project, e.g. projectPath("figures", "fig1.png"). */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
