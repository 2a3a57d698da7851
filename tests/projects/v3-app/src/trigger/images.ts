import { logger, task } from "@trigger.dev/sdk/v3";
import { resize } from "../lib/images";

export const resizeImage = task({
  id: "resize-image",
  queue: { name: "images", concurrencyLimit: 5 },
  run: async (payload: { url: string; width: number }) => {
    logger.info("Resizing image", { url: payload.url, width: payload.width });
    const resizedUrl = await resize(payload.url, payload.width);
    return { resizedUrl };
  },
  onStart: async (payload, { ctx }) => {
    logger.info("Resize starting", { url: payload.url, runId: ctx.run.id });
  },
  onSuccess: async (payload, output, { ctx }) => {
    logger.info("Image resized", { url: output.resizedUrl, runId: ctx.run.id });
  },
  handleError: async (payload, error, { ctx }) => {
    if (error instanceof Error && error.message.includes("404")) {
      logger.warn("Image is gone; not retrying", { url: payload.url, runId: ctx.run.id });
      return { skipRetrying: true };
    }
  },
});
