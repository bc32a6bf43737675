"use strict";
// The stack program as Pulumi runs it (Pulumi.yaml main): index.ts, its TypeScript transpiled once
// per content and cached (transpile-cached.js) instead of by ts-node on every run.
const path = require("path");
// Pulumi starts the program in main's directory; the settings' relative paths (the guest image
// file, parametersDir, build contexts) are taken from the project's.
process.chdir(path.join(__dirname, ".."));
require("./transpile-cached");
// index.ts's exports are the stack's outputs.
module.exports = require("../index.ts");
