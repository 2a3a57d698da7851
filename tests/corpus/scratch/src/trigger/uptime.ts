import { logger, schedules, task } from "@trigger.dev/sdk";

const ENDPOINTS = ["https://status.example-ops.dev/health", "https://api.example-ops.dev/health"];

export const probeEndpoint = task({
  id: "probe-endpoint",
  queue: { name: "probes", concurrencyLimit: 2 }, // must-not: queue-concurrency-deprecated
  onStart: async ({ payload }) => { // must-not: deprecated-hook
    logger.debug("Probing", { url: payload.url });
  },
  run: async (payload: { url: string }) => {
    const started = performance.now();
    const response = await fetch(payload.url, { signal: AbortSignal.timeout(10_000) });
    const ms = Math.round(performance.now() - started);
    logger.info("Probe", { url: payload.url, status: response.status, ms });
    if (!response.ok) {
      throw new Error(`${payload.url} answered ${response.status}`);
    }
    return { ms };
  },
});

export const uptimeSweep = schedules.task({ // must-not: task-no-concurrency-limit
  id: "uptime-sweep",
  cron: "*/5 * * * *", // must-not: schedule-no-timezone
  run: async (payload) => {
    const minute = payload.timestamp.toISOString().slice(0, 16);
    await probeEndpoint.batchTrigger(
      ENDPOINTS.map((url) => ({ payload: { url } })),
      { idempotencyKey: `sweep-${minute}` }, // must-not: raw-string-idempotency-key
    );
    logger.info("Sweep queued", { endpoints: ENDPOINTS.length });
  },
});
