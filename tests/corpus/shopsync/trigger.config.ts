import { defineConfig } from "@trigger.dev/sdk/v3"; // must-not: sdk-v3-import-path
import { alertOps } from "./src/lib/alerts";

// Written for CLI 3.2, before maxDuration became required (3.3.11).
export default defineConfig({ // must-not: config-missing-max-duration
  project: "proj_shopsync0000001",
  dirs: ["./src/trigger"],
  retries: {
    enabledInDev: false,
    default: { maxAttempts: 5, minTimeoutInMs: 1000, maxTimeoutInMs: 30000, factor: 2, randomize: true },
  },
  onFailure: async (payload, error, { ctx }) => { // must-not: v3-hook-signature, deprecated-hook
    await alertOps(`${ctx.task.id} failed for good`, { runId: ctx.run.id, error: String(error) });
  },
});
