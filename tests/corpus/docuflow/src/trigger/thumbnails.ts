import { logger, task } from "@trigger.dev/sdk";
import sharp from "sharp";
import { db } from "../lib/db";
import { downloadToTemp, removeTemp, uploadJson } from "../lib/storage";

const PREVIEW_WIDTH = 640;

export async function countPages(file: string): Promise<number> {
  const meta = await sharp(file, { pages: -1 }).metadata();
  return meta.pages ?? 1;
}

export async function renderPagePreview(file: string, page: number): Promise<string> {
  const png = await sharp(file, { page: page - 1 }).resize({ width: PREVIEW_WIDTH }).png().toBuffer();
  return `data:image/png;base64,${png.toString("base64")}`;
}

export const generateThumbnails = task({ // must-not: task-no-retry-config
  id: "generate-thumbnails",
  queue: { name: "thumbnails", concurrencyLimit: 2 }, // expect: queue-concurrency-deprecated
  machine: "small-2x",
  run: async (payload: { documentId: string; storageKey: string }) => {
    const { dir, file } = await downloadToTemp(payload.storageKey);
    try {
      const pages = await countPages(file);
      const previews: string[] = [];
      for (let page = 1; page <= Math.min(pages, 3); page++) {
        previews.push(await renderPagePreview(file, page));
      }
      await uploadJson(`thumbnails/${payload.documentId}.json`, previews);
      await db.document.update({
        where: { id: payload.documentId },
        data: { thumbnailCount: previews.length },
      });
      logger.info("Thumbnails ready", { documentId: payload.documentId, count: previews.length });
    } finally {
      await removeTemp(dir);
    }
  },
});
