import { logger, schemaTask, task } from "@trigger.dev/sdk";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { fetchSource, storeFile } from "../lib/s3";
import { posterFrame } from "./posters";

const run = promisify(execFile);

const Highlight = z.object({ start: z.number().nonnegative(), end: z.number().positive(), label: z.string() });

export const renderClip = task({
  id: "render-clip",
  queue: { concurrencyLimit: 3 }, // expect: queue-concurrency-deprecated
  machine: "medium-2x",
  run: async (payload: { videoKey: string; start: number; end: number; label: string }) => {
    const dir = await mkdtemp(path.join(tmpdir(), "clip-"));
    const source = path.join(dir, "source.mp4");
    const out = path.join(dir, "clip.mp4");
    await fetchSource(payload.videoKey, source);
    await run("ffmpeg", [
      "-ss", String(payload.start),
      "-to", String(payload.end),
      "-i", source,
      "-vf", "scale=1080:1920:force_original_aspect_ratio=increase,crop=1080:1920",
      "-c:a", "aac",
      out,
    ]);
    const key = `clips/${path.basename(payload.videoKey, ".mp4")}-${payload.start}.mp4`;
    const url = await storeFile(out, key, "video/mp4");
    logger.info("Clip rendered", { key, seconds: payload.end - payload.start });
    try {
      await rm(dir, { recursive: true, force: true });
    } catch (error) { // must-not: catch-without-rethrow
      logger.debug("Temporary folder left behind", { dir, error });
    }
    return { key, url };
  },
});

export const cutHighlights = schemaTask({
  id: "cut-highlights",
  schema: z.object({ videoKey: z.string(), highlights: z.array(Highlight).min(1).max(20) }),
  run: async ({ videoKey, highlights }) => {
    logger.info("Cutting highlights", { videoKey, count: highlights.length });
    const { runs } = await renderClip.batchTriggerAndWait( // must-not: unchecked-child-result
      highlights.map((h) => ({ payload: { videoKey, ...h } })),
    );
    const clips = runs.filter((r) => r.ok).map((r) => (r.ok ? r.output.key : ""));
    if (clips.length < runs.length) {
      throw new Error(`${runs.length - clips.length} clips failed`);
    }
    try {
      await posterFrame.batchTriggerAndWait(clips.map((key) => ({ payload: { clipKey: key } }))); // expect: unchecked-child-result
    } catch (error) {
      logger.warn("Posters failed; clips are still usable", { error });
    }
    return { clips };
  },
});
