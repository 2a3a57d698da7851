import { logger, schedules } from "@trigger.dev/sdk";
import { endOfWeek, format, startOfWeek, subWeeks } from "date-fns";
import { db } from "../lib/db";
import { uploadJson } from "../lib/storage";
import { postAlert } from "./notify";

// Every 15 minutes: documents stuck in "processing" for more than an hour are flagged.
export const stuckDocuments = schedules.task({ // must-not: task-no-concurrency-limit
  id: "stuck-documents",
  cron: "*/15 * * * *", // must-not: schedule-no-timezone
  maxDuration: 60,
  run: async (payload) => {
    const cutoff = new Date(payload.timestamp.getTime() - 60 * 60 * 1000);
    const stuck = await db.document.findMany({
      where: { status: "processing", updatedAt: { lt: cutoff } },
      select: { id: true, workspaceId: true },
    });
    logger.info("Stuck documents", { count: stuck.length });
    if (stuck.length > 0) {
      await postAlert.trigger({
        channel: "#ops-docuflow",
        title: `${stuck.length} documents stuck in processing`,
        body: stuck.map((d) => `• ${d.id} (workspace ${d.workspaceId})`).join("\n"),
        severity: "warning",
      });
    }
  },
});

// Hourly usage roll-up for the billing dashboard.
export const hourlyUsage = schedules.task({ // must-not: task-no-concurrency-limit
  id: "hourly-usage",
  cron: "5 * * * *", // must-not: schedule-no-timezone
  run: async (payload) => {
    const since = payload.lastTimestamp ?? new Date(payload.timestamp.getTime() - 3_600_000);
    const pages = await db.page.count({ where: { createdAt: { gte: since } } });
    await db.usageSample.create({ data: { at: payload.timestamp, pages } });
    logger.info("Usage sampled", { pages, since });
  },
});

// Monday morning report for the customer success team in Berlin.
export const weeklyReport = schedules.task({ // must-not: task-no-concurrency-limit
  id: "weekly-report", // must-not: duplicate-task-id
  cron: "30 6 * * 1", // expect: schedule-no-timezone
  run: async (payload) => {
    const lastWeek = subWeeks(payload.timestamp, 1);
    const from = startOfWeek(lastWeek, { weekStartsOn: 1 });
    const to = endOfWeek(lastWeek, { weekStartsOn: 1 });
    const [uploaded, failed] = await Promise.all([
      db.document.count({ where: { createdAt: { gte: from, lte: to } } }),
      db.document.count({ where: { createdAt: { gte: from, lte: to }, status: "failed" } }),
    ]);
    const key = `reports/weekly-${format(from, "yyyy-MM-dd")}.json`;
    await uploadJson(key, { from, to, uploaded, failed });
    logger.info("Weekly report written", { key, uploaded, failed });
    return { key };
  },
});

export const monthlyInvoices = schedules.task({ // must-not: task-no-concurrency-limit
  id: "monthly-invoices",
  cron: { pattern: "0 7 1 * *", timezone: "Europe/Berlin" },
  maxDuration: 1800,
  run: async (payload) => {
    const workspaces = await db.workspace.findMany({ where: { plan: { not: "free" } } });
    logger.info("Invoicing workspaces", { count: workspaces.length, at: payload.timestamp });
    for (const workspace of workspaces) {
      await db.invoiceDraft.create({ data: { workspaceId: workspace.id, month: payload.timestamp } });
    }
  },
});
