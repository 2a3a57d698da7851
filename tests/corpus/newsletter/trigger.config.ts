import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_letterbox00001",
  dirs: ["./src/trigger"],
  maxDuration: 300,
  retries: {
    enabledInDev: false,
    default: { maxAttempts: 3, minTimeoutInMs: 1000, maxTimeoutInMs: 10000, factor: 2 },
  },
  build: {
    external: ["@react-email/render"],
  },
});
