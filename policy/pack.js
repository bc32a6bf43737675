"use strict";
// The pack as the engine's policy host loads it (package.json main): index.ts and rules.ts (and the
// component file they share) transpiled once per content and cached by ../scripts/transpile-cached.js,
// instead of type-checked by ts-node on every preview. Their types are checked by `npm run build`
// here, which `npm test` runs.
require("../scripts/transpile-cached");
module.exports = require("./index.ts");
