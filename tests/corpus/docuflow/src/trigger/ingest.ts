import { AbortTaskRunError, logger, metadata, schemaTask, tags } from "@trigger.dev/sdk";
import { unlink } from "node:fs/promises";
import { z } from "zod";
import { db, markDocument } from "../lib/db";
import { downloadToTemp, removeTemp, uploadJson } from "../lib/storage";
import { TASK_IDS } from "../lib/task-ids";
import { extractPage } from "./pages";
import { summarizeDocument } from "./pages";
import { countPages, renderPagePreview } from "./thumbnails";

const IngestPayload = z.object({
  documentId: z.string().uuid(),
  storageKey: z.string(),
  workspaceId: z.string(),
  language: z.enum(["en", "de", "fr"]).default("en"),
});

const OCR_ENDPOINT = process.env.OCR_ENDPOINT as string; // must-not: env-unchecked

export const ingestDocument = schemaTask({
  id: TASK_IDS.ingest, // must-not: task-missing-id
  schema: IngestPayload,
  maxDuration: 600,
  run: async (payload, { ctx }) => {
    const document = await db.document.findUnique({ where: { id: payload.documentId } });
    if (!document) {
      throw new AbortTaskRunError(`Document ${payload.documentId} no longer exists`);
    }
    await tags.add([`workspace:${payload.workspaceId}`, `document:${payload.documentId}`]);
    await markDocument(document.id, "processing");
    metadata.set("stage", "download");

    const { dir, file } = await downloadToTemp(payload.storageKey);
    try {
      const pages = await countPages(file);
      logger.info("Document downloaded", { pages, attempt: ctx.attempt.number });
      metadata.set("stage", "extract").set("pages", pages);

      const preview = await renderPagePreview(file, 1);
      await uploadJson(`previews/${document.id}.json`, { preview, ocr: OCR_ENDPOINT });

      // One child run per page; the pages are independent.
      const handle = await extractPage.batchTrigger(
        Array.from({ length: pages }, (_, index) => ({
          payload: { documentId: document.id, storageKey: payload.storageKey, page: index + 1 },
          options: { tags: [`document:${document.id}`] },
        })),
      );
      logger.info("Page extraction queued", { batchId: handle.batchId, runs: handle.runCount });

      // The summary must exist before the document is shown as ready.
      try {
        await summarizeDocument.triggerAndWait({ documentId: document.id, language: payload.language }); // expect: unchecked-child-result
      } catch (error) {
        logger.error("Summary failed", { error });
        await markDocument(document.id, "failed", "summary");
        throw error;
      }
      await markDocument(document.id, "ready");
    } finally {
      try {
        await removeTemp(dir);
      } catch (cleanupError) { // must-not: catch-without-rethrow
        logger.warn("Could not remove the temporary folder", { dir, cleanupError });
      }
    }
    return { documentId: document.id };
  },
});

export const reprocessDocument = schemaTask({
  id: "reprocess-document",
  schema: z.object({ documentId: z.string().uuid(), storageKey: z.string() }),
  run: async (payload) => {
    const { dir, file } = await downloadToTemp(payload.storageKey);
    const pages = await countPages(file);
    logger.info("Reprocessing", { documentId: payload.documentId, pages });
    const result = await ingestDocument.triggerAndWait({ // must-not: unchecked-child-result
      documentId: payload.documentId,
      storageKey: payload.storageKey,
      workspaceId: "reprocess",
      language: "en",
    });
    try {
      await unlink(file);
      await removeTemp(dir);
    } catch { // must-not: catch-without-rethrow
      // The folder lives in the machine's tmp; it goes away with the machine.
    }
    if (!result.ok) {
      throw new Error(`Reprocessing ${payload.documentId} failed`, { cause: result.error });
    }
    return result.output;
  },
});
