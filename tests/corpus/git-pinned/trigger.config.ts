import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_warehousesync1",
  dirs: ["./src/trigger"],
  maxDuration: 900,
  retries: { default: { maxAttempts: 4, minTimeoutInMs: 1000, maxTimeoutInMs: 30000, factor: 2 } },
});
