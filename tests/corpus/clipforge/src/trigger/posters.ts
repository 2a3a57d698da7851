import { logger, task } from "@trigger.dev/sdk";
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { fetchSource, storeFile } from "../lib/s3";

const run = promisify(execFile);

export const posterFrame = task({ // expect: task-no-concurrency-limit
  id: "poster-frame",
  run: async (payload: { clipKey: string }) => {
    const dir = await mkdtemp(path.join(tmpdir(), "poster-"));
    const clip = path.join(dir, "clip.mp4");
    const frame = path.join(dir, "frame.png");
    const poster = path.join(dir, "poster.webp");
    await fetchSource(payload.clipKey, clip);
    await run("ffmpeg", ["-ss", "1", "-i", clip, "-frames:v", "1", frame]);
    await sharp(frame).resize(540, 960).webp({ quality: 80 }).toFile(poster);
    const key = payload.clipKey.replace(/\.mp4$/, ".webp");
    await storeFile(poster, key, "image/webp");
    logger.info("Poster stored", { key });
    return { key };
  },
});
