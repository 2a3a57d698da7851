import { defineConfig } from "@trigger.dev/sdk";
import { ffmpeg } from "@trigger.dev/build/extensions/core";
import { reportFailure } from "./src/lib/alerts";

export default defineConfig({
  project: "proj_podcaststudio01",
  dirs: ["./src/trigger"],
  maxDuration: 1800,
  retries: {
    enabledInDev: false,
    default: { maxAttempts: 3, minTimeoutInMs: 5_000, maxTimeoutInMs: 60_000, factor: 2 },
  },
  build: {
    extensions: [ffmpeg({ version: "7" })],
  },
  init: async ({ ctx }) => { // expect: deprecated-hook
    process.env.FFMPEG_THREADS ??= ctx.machine?.cpu ? String(ctx.machine.cpu) : "1";
  },
  onFailure: async ({ payload, error, ctx }) => { // expect: deprecated-hook
    await reportFailure(ctx.task.id, ctx.run.id, error, payload);
  },
});
