import { defineConfig } from "@trigger.dev/sdk/v3";

// No maxDuration and the "bun" runtime: both depend on the CLI's or SDK's version.
export default defineConfig({
  project: "proj_unknown_version",
  runtime: "bun",
  dirs: ["./src/trigger"],
});
