import { logger, schedules, task } from "@trigger.dev/sdk";
import { db } from "../lib/db";
import { s3 } from "../lib/storage";
import { DeleteObjectsCommand } from "@aws-sdk/client-s3";

// Moved here from src/jobs-shared/cleanup.ts; the old definition is still re-exported.
export const purgeExpiredUploads = schedules.task({ // must-not: task-no-concurrency-limit
  id: "purge-expired-uploads", // expect: duplicate-task-id
  cron: { pattern: "0 3 * * *", timezone: "Europe/Berlin" },
  run: async () => {
    const expired = await db.document.findMany({
      where: { expiresAt: { lt: new Date() } },
      select: { id: true, storageKey: true },
      take: 1000,
    });
    if (expired.length === 0) {
      logger.info("Nothing to purge");
      return { purged: 0 };
    }
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: process.env.DOCUMENTS_BUCKET!,
        Delete: { Objects: expired.map((d) => ({ Key: d.storageKey })) },
      }),
    );
    await db.document.deleteMany({ where: { id: { in: expired.map((d) => d.id) } } });
    logger.info("Purged expired uploads", { count: expired.length });
    return { purged: expired.length };
  },
});

export const heartbeat = task({ // must-not: task-no-concurrency-limit, task-no-retry-config
  id: "heartbeat",
  run: async (payload: { source: string }) => {
    logger.info("heartbeat", payload);
  },
});

export const rebuildSearchIndex = task({
  id: "rebuild-search-index",
  machine: "medium-1x",
  maxDuration: 900_000,
  run: async (payload: { workspaceId: string }) => {
    const documents = await db.document.findMany({
      where: { workspaceId: payload.workspaceId, status: "ready" },
      select: { id: true, summary: true },
    });
    logger.info("Reindexing", { count: documents.length });
    await db.searchEntry.deleteMany({ where: { workspaceId: payload.workspaceId } });
    await db.searchEntry.createMany({
      data: documents.map((d) => ({ workspaceId: payload.workspaceId, documentId: d.id, body: d.summary ?? "" })),
    });
  },
});
