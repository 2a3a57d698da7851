import { logger, schedules } from "@trigger.dev/sdk";
import { db } from "../lib/db";

// Old home of the purge task, still re-exported from src/trigger/index.ts.
export const purgeExpiredUploadsLegacy = schedules.task({ // must-not: trigger-config-not-found, task-no-concurrency-limit
  id: "purge-expired-uploads", // expect: duplicate-task-id
  cron: { pattern: "30 3 * * *", timezone: "Europe/Berlin" },
  run: async () => {
    const result = await db.document.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    logger.info("Purged expired uploads (legacy)", { count: result.count });
  },
});

export const vacuumAuditLog = schedules.task({ // must-not: task-no-concurrency-limit
  id: "vacuum-audit-log",
  cron: { pattern: "0 4 * * 0", timezone: "Europe/Berlin" },
  run: async () => {
    const cutoff = new Date(Date.now() - 365 * 24 * 60 * 60 * 1000);
    const result = await db.auditEvent.deleteMany({ where: { at: { lt: cutoff } } });
    logger.info("Audit log vacuumed", { removed: result.count });
  },
});
