#!/usr/bin/env node
// The `igr` command (package.json "bin"). One node process, so Ctrl-C, SIGTERM and SIGUSR1 reach the
// trainer itself (a wrapper such as the tsx CLI would stand between them). A checkout runs its
// TypeScript through tsx's require hook, so a dist/ left by `npm pack` can never run stale code; the
// installed package ships no TypeScript and runs its compiled JavaScript (dist/).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const source = path.join(__dirname, "igr.ts");
let cli;
if (fs.existsSync(source)) {
  require("tsx/cjs");
  cli = require(source);
} else {
  cli = require(path.join(__dirname, "..", "dist", "bin", "igr.js"));
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
