"use server";

import { auth, runs } from "@trigger.dev/sdk";

export async function invoiceRunStatus(runId: string) {
  const run = await runs.retrieve(runId);
  return { status: run.status, finishedAt: run.finishedAt ?? null };
}

export async function readOnlyToken(invoiceId: string) {
  return auth.createPublicToken({
    scopes: { read: { tags: [`invoice:${invoiceId}`] } },
    expirationTime: "30m",
  });
}
