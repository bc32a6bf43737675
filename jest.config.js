// Two projects: "unit" (mocks and pure helpers, seconds) and "real" (the real Pulumi engine, the dev
// cloud, the Docker engine; test/live: Trove running a database on a region the stack built). `npm test` runs both; `npm run test:unit` runs the first.
// Types are checked once by `tsc` in the test command, so ts-jest only transpiles.
const common = {
    preset: "ts-jest",
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
};

module.exports = {
    // Jest's default leaves a core to its own process, which only waits on the workers: on a
    // two-core machine that runs the whole unit suite in one process, one file after another.
    maxWorkers: "100%",
    // Real tests drive `pulumi up` against real services; they report their own progress.
    testTimeout: 20 * 60 * 1000,
    projects: [
        {
            ...common,
            displayName: "unit",
            testMatch: ["<rootDir>/test/**/*.test.ts"],
            testPathIgnorePatterns: ["<rootDir>/test/engine/", "<rootDir>/test/e2e/", "<rootDir>/test/real/", "<rootDir>/test/live/"],
        },
        {
            ...common,
            displayName: "real",
            testMatch: ["<rootDir>/test/engine/**/*.test.ts", "<rootDir>/test/e2e/**/*.test.ts", "<rootDir>/test/real/**/*.test.ts", "<rootDir>/test/live/**/*.test.ts"],
        },
    ],
};
