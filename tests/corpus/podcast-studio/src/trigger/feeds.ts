import { logger, schedules } from "@trigger.dev/sdk";
import Parser from "rss-parser";

const parser = new Parser();
const WATCHED_FEEDS = [
  "https://feeds.podcast-studio.fm/dev-talk.xml",
  "https://feeds.podcast-studio.fm/after-hours.xml",
];

export const refreshFeeds = schedules.task({ // must-not: task-no-concurrency-limit
  id: "refresh-feeds",
  cron: "*/30 * * * *", // must-not: schedule-no-timezone
  run: async () => {
    for (const url of WATCHED_FEEDS) {
      const feed = await parser.parseURL(url);
      logger.info("Feed refreshed", { url, items: feed.items.length, latest: feed.items[0]?.title });
    }
  },
});

// Friday morning digest for the hosts, who are in New York.
export const weeklyStats = schedules.task({ // must-not: task-no-concurrency-limit
  id: "weekly-stats",
  cron: "0 9 * * 5", // expect: schedule-no-timezone
  run: async (payload) => {
    const since = new Date(payload.timestamp.getTime() - 7 * 24 * 3600 * 1000);
    const response = await fetch(`https://analytics.podcast-studio.fm/api/downloads?since=${since.toISOString()}`);
    const stats = (await response.json()) as { episode: string; downloads: number }[];
    logger.info("Weekly downloads", { episodes: stats.length, total: stats.reduce((n, s) => n + s.downloads, 0) });
  },
});
