import { task, metadata, logger } from "@trigger.dev/sdk/v3";

// Shapes whose findings depend on the SDK's version. Nothing in this project names one
// ("latest", no lockfile, nothing installed), so none of those rules may fire here.
export const limited = task({
  id: "limited",
  queue: { concurrencyLimit: 2 },
  onStart: async ({ payload }) => {
    logger.info("starting", { payload });
  },
  handleError: async ({ error }) => {
    logger.error("failed", { error });
  },
  onComplete: async ({ result }) => {
    logger.info("done", { output: result.output });
  },
  run: async (payload: { url: string }) => {
    await metadata.stream("progress", makeStream());
    await child.trigger({ url: payload.url }, { idempotencyKey: `fetch-${payload.url}` });
    await child.trigger({ url: payload.url }, { queue: { name: "fetches" } });
    const batch = await child.batchTrigger([{ payload: { url: payload.url } }]);
    logger.info("batch", { runs: batch.runs.length });
  },
});

export const child = task({
  id: "child",
  onSuccess: async (payload, { ctx }) => {
    logger.info("child done", { payload, ctx });
  },
  run: async (payload: { url: string }) => {
    logger.info("fetching", { url: payload.url });
  },
});

async function* makeStream() {
  yield "step";
}
