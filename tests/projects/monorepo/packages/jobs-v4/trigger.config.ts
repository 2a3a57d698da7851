import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_acmejobsversionfourxx",
  maxDuration: 600,
  retries: {
    default: { maxAttempts: 5, factor: 2, minTimeoutInMs: 500, maxTimeoutInMs: 30000 },
  },
});
