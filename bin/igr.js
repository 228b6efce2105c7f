#!/usr/bin/env node
// The `igr` command (package.json "bin"). One node process, so Ctrl-C, SIGTERM and SIGUSR1 reach the
// trainer itself (a wrapper such as the tsx CLI would stand between them). A built package runs its
// compiled JavaScript (dist/); a clone compiles the TypeScript in this process with tsx's require hook.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const compiled = path.join(__dirname, "..", "dist", "bin", "igr.js");
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require("tsx/cjs");
  cli = require("./igr.ts");
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
