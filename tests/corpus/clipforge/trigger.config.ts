import { defineConfig } from "@trigger.dev/sdk";
import { ffmpeg } from "@trigger.dev/build/extensions/core";

export default defineConfig({
  project: "proj_clipforge00001",
  runtime: "bun", // expect: bun-runtime-deprecated
  dirs: ["./src/trigger"],
  maxDuration: 1200,
  machine: "small-2x",
  retries: {
    enabledInDev: false,
    default: { maxAttempts: 3, minTimeoutInMs: 2000, maxTimeoutInMs: 30000, factor: 2 },
  },
  build: { // expect: native-modules-external
    extensions: [ffmpeg()],
  },
});
