import { logger, schedules, task } from "@trigger.dev/sdk";
import { sendInvoiceEmail } from "./children";

// task-missing-id, invalid-machine-preset, trigger-queue-object, schedule-no-timezone,
// max-duration-in-milliseconds
export const renderReport = task({
  run: async (payload: { reportId: string }) => {
    logger.info("rendering", payload);
    return { pages: 3 };
  },
});

export const resizeImages = task({
  id: "resize-images",
  machine: "large1x",
  run: async (payload: { urls: string[] }) => {
    logger.info("resizing", { count: payload.urls.length });
    await sendInvoiceEmail.trigger(
      { invoiceId: "inv_3", to: "ops@example.com" },
      { queue: { name: "emails", concurrencyLimit: 5 } },
    );
    return { resized: payload.urls.length };
  },
});

export const nightlyDigest = schedules.task({
  id: "nightly-digest",
  cron: "0 2 * * *",
  run: async (payload) => {
    logger.info("digest", { at: payload.timestamp });
  },
});

export const exportArchive = task({
  id: "export-archive",
  maxDuration: 15 * 60 * 1000,
  run: async (payload: { archiveId: string }) => {
    logger.info("exporting", payload);
  },
});
