import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  project: "proj_versions",
  dirs: ["./src/trigger"],
  maxDuration: 300,
});
