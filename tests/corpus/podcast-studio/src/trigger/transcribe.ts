import { logger, metadata, schemaTask, task } from "@trigger.dev/sdk";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { z } from "zod";
import { splitAudio } from "../lib/audio";

const openai = new OpenAI();

export const transcribeChunk = task({ // expect: task-no-concurrency-limit
  id: "transcribe-chunk",
  run: async (chunk: { episodeId: string; index: number; file: string; startSeconds: number }) => {
    const transcription = await openai.audio.transcriptions.create({
      file: createReadStream(chunk.file),
      model: "whisper-1",
      response_format: "verbose_json",
    });
    logger.info("Chunk transcribed", { index: chunk.index, seconds: transcription.duration });
    return {
      index: chunk.index,
      segments: (transcription.segments ?? []).map((s) => ({
        start: s.start + chunk.startSeconds,
        end: s.end + chunk.startSeconds,
        text: s.text,
      })),
    };
  },
});

export const transcribeEpisode = schemaTask({
  id: "transcribe-episode",
  schema: z.object({ episodeId: z.string(), audioPath: z.string() }),
  machine: "medium-1x",
  maxDuration: 60 * 60 * 2, // two hours for long episodes
  onStart: async ({ payload }) => { // expect: deprecated-hook
    metadata.set("episode", payload.episodeId);
  },
  run: async ({ episodeId, audioPath }, { ctx }) => {
    const workDir = path.join(tmpdir(), `episode-${episodeId}-${ctx.run.id}`);
    try {
      const chunks = await splitAudio(audioPath, workDir);
      logger.info("Audio split", { chunks: chunks.length });
      const { runs } = await transcribeChunk.batchTriggerAndWait( // must-not: unchecked-child-result
        chunks.map((c) => ({ payload: { episodeId, ...c } })),
      );
      const failed = runs.filter((run) => !run.ok);
      if (failed.length > 0) {
        throw new Error(`${failed.length} of ${runs.length} chunks failed to transcribe`);
      }
      const segments = runs
        .flatMap((run) => (run.ok ? run.output.segments : []))
        .sort((a, b) => a.start - b.start);
      return { episodeId, segments };
    } finally {
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  },
});
