import { logger, task, wait } from "@trigger.dev/sdk";
import { transcribeEpisode } from "./transcribe";

type Episode = { id: string; title: string; audioPath: string; publishAt: string; showSlug: string };

function formatShowNotes(title: string, segments: { start: number; text: string }[]) {
  const stamp = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  const chapters = segments.filter((_, i) => i % 40 === 0).map((s) => `${stamp(s.start)} ${s.text.trim()}`);
  const generated = `Generated ${new Date().toLocaleString()} (${process.env.TZ}, ${process.env.LANG})`; // must-not: env-unchecked
  return [`# ${title}`, "", ...chapters, "", generated].join("\n");
}

export const publishEpisode = task({
  id: "publish-episode",
  queue: { name: "publishing", concurrencyLimit: 1 }, // must-not: queue-concurrency-deprecated
  run: async (episode: Episode) => {
    const input = { episodeId: episode.id, audioPath: episode.audioPath };
    const transcript = await transcribeEpisode.triggerAndWait(input).unwrap(); // must-not: unchecked-child-result
    const notes = formatShowNotes(episode.title, transcript.segments);
    await wait.until({ date: new Date(episode.publishAt) });
    await announceEpisode.trigger(
      { episodeId: episode.id, showSlug: episode.showSlug, notes },
      { idempotencyKey: `announce-${episode.id}` }, // expect: raw-string-idempotency-key
    );
    logger.info("Episode published", { id: episode.id });
  },
});

export const announceEpisode = task({
  id: "announce-episode",
  run: async (payload: { episodeId: string; showSlug: string; notes: string }) => {
    const response = await fetch(`https://hooks.podcast-studio.fm/${payload.showSlug}/announce`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ episodeId: payload.episodeId, notes: payload.notes }),
    });
    logger.info("Announcement sent", { status: response.status });
    if (!response.ok) {
      throw new Error(`Announcement hook answered ${response.status}`);
    }
  },
});
