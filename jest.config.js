// Two projects: "unit" (mocks and pure helpers, seconds) and "real" (the real Pulumi
// engine, dev cloud, Docker engine). `npm test` runs both; `npm run test:unit` runs the first.
const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] },
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: ["<rootDir>/test/engine/", "<rootDir>/test/e2e/", "<rootDir>/test/real/"],
    },
    {
      ...common,
      displayName: "real",
      testMatch: ["<rootDir>/test/engine/**/*.test.ts", "<rootDir>/test/e2e/**/*.test.ts", "<rootDir>/test/real/**/*.test.ts"],
      // Real tests share one dev cloud and one Docker engine: run them one file at a time.
      maxWorkers: 1,
      testTimeout: 20 * 60 * 1000,
    },
  ],
};
