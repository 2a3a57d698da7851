import { batch, logger, queue, schedules, task } from "@trigger.dev/sdk";
import { db } from "../lib/db";
import { NIGHTLY_EXPORT_ID, TASK_IDS } from "../lib/task-ids";
import { uploadJson } from "../lib/storage";

const ledgerQueue = queue({ name: "ledger", concurrencyLimit: 1 }); // expect: queue-concurrency-deprecated

export const reconcileLedger = task({ // must-not: task-no-retry-config
  id: TASK_IDS.reconcile, // must-not: task-missing-id
  queue: ledgerQueue,
  maxDuration: 3600, // one hour
  run: async (payload: { workspaceId: string; month: string }) => {
    const entries = await db.ledgerEntry.findMany({ where: payload });
    const balance = entries.reduce((sum, e) => sum + e.amountCents, 0);
    logger.info("Ledger reconciled", { entries: entries.length, balance });
    if (balance !== 0) {
      await db.reconciliationIssue.create({ data: { ...payload, balance } });
    }
    return { balance };
  },
});

export const nightlyExport = schedules.task({ // must-not: task-no-concurrency-limit
  id: NIGHTLY_EXPORT_ID, // must-not: task-missing-id
  cron: { pattern: "0 2 * * *", timezone: "UTC" },
  run: async (payload) => {
    const workspaces = await db.workspace.findMany({ select: { id: true } });
    const month = payload.timestamp.toISOString().slice(0, 7);
    const { runs } = await batch.triggerByTaskAndWait( // must-not: unchecked-child-result
      workspaces.map((w) => ({ task: reconcileLedger, payload: { workspaceId: w.id, month } })),
    );
    const failed = runs.filter((run) => !run.ok);
    await uploadJson(`exports/${month}.json`, { workspaces: workspaces.length, failed: failed.length });
    logger.info("Nightly export", { workspaces: workspaces.length, failed: failed.length });
    if (failed.length > 0) {
      throw new Error(`${failed.length} reconciliations failed`);
    }
  },
});
