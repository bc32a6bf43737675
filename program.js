"use strict";
// The stack program as Pulumi runs it (Pulumi.yaml main): index.ts, its TypeScript transpiled once
// per content and cached (scripts/transpile-cached.js) instead of by ts-node on every run. It lives
// beside index.ts because Pulumi starts the program and its provider plugins in main's directory,
// which must be the project's: the settings' relative paths are taken from there.
require("./scripts/transpile-cached");
// index.ts's exports are the stack's outputs.
module.exports = require("./index.ts");
