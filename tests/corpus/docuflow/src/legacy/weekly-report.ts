import { logger, schedules } from "@trigger.dev/sdk";
import { db } from "../lib/db";

// The first version of the weekly report. Nothing imports this file any more.
export const weeklyReportV1 = schedules.task({ // expect: trigger-config-not-found; must-not: task-no-concurrency-limit
  id: "weekly-report", // must-not: duplicate-task-id
  cron: { pattern: "0 8 * * 1", timezone: "Europe/Berlin" },
  run: async () => {
    const uploaded = await db.document.count();
    logger.info("Weekly report v1", { uploaded });
  },
});
