import { logger, schedules, task } from "@trigger.dev/sdk/v3"; // expect: sdk-v3-import-path
import { desk } from "../lib/zendesk";

export const syncMacros = task({
  id: "sync-macros",
  queue: { concurrencyLimit: 1 }, // must-not: queue-concurrency-deprecated
  run: async (payload: { locale: string }) => {
    const { result } = await desk.macros.list();
    const localized = result.filter((m: { title: string }) => m.title.startsWith(`[${payload.locale}]`));
    logger.info("Macros synced", { locale: payload.locale, count: localized.length });
    return { count: localized.length };
  },
});

export const nightlyMacroSync = schedules.task({ // must-not: task-no-concurrency-limit
  id: "nightly-macro-sync",
  cron: { pattern: "0 1 * * *", timezone: "America/Chicago" },
  run: async (payload) => {
    for (const locale of ["en", "es", "fr"]) {
      await syncMacros.trigger(
        { locale },
        { idempotencyKey: `macros-${locale}-${payload.timestamp.toISOString().slice(0, 10)}` }, // must-not: raw-string-idempotency-key
      );
    }
    logger.info("Macro sync queued");
  },
});
