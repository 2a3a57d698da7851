import { defineConfig } from "@trigger.dev/sdk/v3";

export default defineConfig({
  project: "proj_acmejobsversionthreex",
  maxDuration: 600,
  retries: {
    default: { maxAttempts: 3 },
  },
});
