#!/usr/bin/env node
// The `igr` command: the compiled CLI when the package is built (dist/, as installed from npm),
// else the TypeScript source through tsx (a checkout without a build).
const fs = require("fs");
const path = require("path");

const compiled = path.join(__dirname, "..", "dist", "bin", "igr.js");
let cli;
if (fs.existsSync(compiled)) cli = require(compiled);
else {
  require("tsx/cjs");
  cli = require("./igr.ts");
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
