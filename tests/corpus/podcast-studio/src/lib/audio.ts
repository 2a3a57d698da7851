import ffmpeg from "fluent-ffmpeg";
import { mkdir } from "node:fs/promises";
import path from "node:path";

export type Chunk = { index: number; file: string; startSeconds: number };

export function probeDuration(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (error, data) => (error ? reject(error) : resolve(data.format.duration ?? 0)));
  });
}

// Whisper accepts files up to 25 MB; ten-minute mono MP3 chunks stay well below that.
export async function splitAudio(file: string, outDir: string, chunkSeconds = 600): Promise<Chunk[]> {
  await mkdir(outDir, { recursive: true });
  const duration = await probeDuration(file);
  const chunks: Chunk[] = [];
  for (let start = 0, index = 0; start < duration; start += chunkSeconds, index++) {
    const out = path.join(outDir, `chunk-${String(index).padStart(3, "0")}.mp3`);
    await new Promise<void>((resolve, reject) => {
      ffmpeg(file)
        .setStartTime(start)
        .setDuration(chunkSeconds)
        .audioChannels(1)
        .audioBitrate("64k")
        .on("end", () => resolve())
        .on("error", reject)
        .save(out);
    });
    chunks.push({ index, file: out, startSeconds: start });
  }
  return chunks;
}
