import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_fieldops000001",
  dirs: ["./src/jobs"],
  runtime: "node",
  maxDuration: 600,
  retries: {
    enabledInDev: true,
    default: { maxAttempts: 4, minTimeoutInMs: 2_000, maxTimeoutInMs: 60_000, factor: 2 },
  },
});
