import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_helpdeskauto01",
  runtime: "bun", // must-not: bun-runtime-deprecated
  dirs: ["./src/trigger"],
  maxDuration: 15 * 60 * 1000,
  retries: {
    enabledInDev: false,
    default: { maxAttempts: 3, minTimeoutInMs: 1_000, maxTimeoutInMs: 15_000, factor: 2 },
  },
});
