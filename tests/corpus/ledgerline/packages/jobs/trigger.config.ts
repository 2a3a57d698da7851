import { defineConfig } from "@trigger.dev/sdk";
import { puppeteer } from "@trigger.dev/build/extensions/puppeteer";

export default defineConfig({
  project: "proj_ledgerline00001",
  dirs: ["./src/trigger"],
  maxDuration: 300,
  retries: {
    enabledInDev: false,
    default: {
      maxAttempts: 3,
      minTimeoutInMs: 1_000,
      maxTimeoutInMs: 20_000,
      factor: 2,
      randomize: true,
    },
  },
  build: {
    external: ["@sparticuz/chromium"],
    extensions: [puppeteer()],
  },
});
