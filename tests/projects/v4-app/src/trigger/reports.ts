import { logger, schedules, task } from "@trigger.dev/sdk";
import { loadSales, totalOf } from "../lib/reports";

export const regionReport = task({
  id: "region-report",
  concurrency: { total: 5 },
  machine: "small-2x",
  run: async (payload: { region: string; day: string }) => {
    logger.info("Building region report", { region: payload.region, day: payload.day });
    const rows = await loadSales(payload.region, payload.day);
    return { region: payload.region, totalInCents: totalOf(rows) };
  },
});

export const dailyReport = schedules.task({
  id: "daily-report",
  cron: { pattern: "0 6 * * *", timezone: "Europe/London" },
  concurrency: { total: 1 },
  run: async (payload) => {
    const day = payload.timestamp.toISOString().slice(0, 10);
    logger.info("Daily report", { day, scheduleId: payload.scheduleId });
    const result = await regionReport.batchTriggerAndWait(
      ["eu", "us", "apac"].map((region) => ({ payload: { region, day } })),
    );
    let totalInCents = 0;
    for (const run of result.runs) {
      if (run.ok) {
        totalInCents += run.output.totalInCents;
      } else {
        logger.error("Region report failed", { runId: run.id });
      }
    }
    return { day, totalInCents };
  },
});
