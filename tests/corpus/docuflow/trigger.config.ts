import { defineConfig } from "@trigger.dev/sdk";
import { esbuildPlugin, syncEnvVars } from "@trigger.dev/build/extensions";
import { prismaExtension } from "@trigger.dev/build/extensions/prisma";
import { sentryEsbuildPlugin } from "@sentry/esbuild-plugin";

// Secrets live in Infisical; the deploy pulls them into the Trigger.dev environment.
async function pullSecrets(environment: string): Promise<Record<string, string>> {
  const response = await fetch(
    `https://secrets.docuflow.internal/api/v3/secrets/raw?environment=${environment}`,
    { headers: { Authorization: `Bearer ${process.env.INFISICAL_TOKEN}` } }, // must-not: env-unchecked
  );
  if (!response.ok) {
    throw new Error(`Infisical answered ${response.status}`);
  }
  const body = (await response.json()) as { secrets: { secretKey: string; secretValue: string }[] };
  return Object.fromEntries(body.secrets.map((s) => [s.secretKey, s.secretValue]));
}

export default defineConfig({ // expect: task-no-retry-config
  project: "proj_docuflowprod0001",
  dirs: ["./src/trigger"],
  runtime: "node-22",
  logLevel: "info",
  maxDuration: 900,
  retries: {
    enabledInDev: false,
  },
  build: { // must-not: native-modules-external
    external: ["sharp"],
    extensions: [
      prismaExtension({ schema: "prisma/schema.prisma" }),
      esbuildPlugin(
        sentryEsbuildPlugin({
          org: "docuflow",
          project: "trigger-tasks",
          authToken: process.env.SENTRY_AUTH_TOKEN, // must-not: env-unchecked
        }),
        { placement: "last", target: "deploy" },
      ),
      syncEnvVars(async (ctx) => pullSecrets(ctx.environment)),
    ],
  },
});
