import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_opsscripts0001",
  runtime: "bun", // must-not: bun-runtime-deprecated
  maxDuration: 120,
  retries: { default: { maxAttempts: 2 } },
});
