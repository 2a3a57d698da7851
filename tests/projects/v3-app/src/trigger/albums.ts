import { logger, task } from "@trigger.dev/sdk/v3";
import { resizeImage } from "./images";

export const resizeAlbum = task({
  id: "resize-album",
  queue: { concurrencyLimit: 2 },
  run: async (payload: { albumId: string; urls: string[]; priority: boolean }) => {
    logger.info("Resizing album", { albumId: payload.albumId, count: payload.urls.length });
    if (payload.priority) {
      // In 3.x a trigger-time queue object creates the queue on the fly.
      const cover = await resizeImage.trigger(
        { url: payload.urls[0], width: 1600 },
        { queue: { name: "images-priority", concurrencyLimit: 1 } },
      );
      logger.info("Cover queued", { runId: cover.id });
    }
    const handle = await resizeImage.batchTrigger(
      payload.urls.map((url) => ({ payload: { url, width: 800 } })),
    );
    logger.info("Album queued", { batchId: handle.batchId, runs: handle.runs.length });
    return { batchId: handle.batchId };
  },
});
