import { logger, task } from "@trigger.dev/sdk/v3"; // expect: sdk-v3-import-path
import { render } from "@react-email/render";
import { postmark, subscribersOf, type Subscriber } from "../lib/postmark";
import { IssueEmail } from "../lib/issue-email";

type Issue = { id: string; listId: string; subject: string; html: string };

export const deliverIssueBatch = task({ // expect: task-no-concurrency-limit
  id: "deliver-issue-batch",
  run: async (payload: { issue: Issue; subscribers: Subscriber[] }) => {
    const html = await render(IssueEmail({ subject: payload.issue.subject, body: payload.issue.html }));
    const results = await postmark.sendEmailBatch(
      payload.subscribers.map((s) => ({
        From: "hello@letterbox.email",
        To: s.email,
        Subject: payload.issue.subject,
        HtmlBody: html,
        MessageStream: "broadcast",
      })),
    );
    const rejected = results.filter((r) => r.ErrorCode !== 0);
    logger.info("Batch delivered", { sent: results.length - rejected.length, rejected: rejected.length });
    return { rejected: rejected.length };
  },
  onSuccess: async (payload, output, { ctx }) => { // expect: v3-hook-signature
    logger.info("Batch done", { issue: payload.issue.id, rejected: output.rejected, run: ctx.run.id });
  },
});

export const sendIssue = task({
  id: "send-issue",
  queue: { concurrencyLimit: 2 }, // must-not: queue-concurrency-deprecated
  onStart: async ({ payload }) => { // must-not: deprecated-hook
    logger.info("Sending issue", { issue: payload.id });
  },
  run: async (issue: Issue) => {
    const subscribers = await subscribersOf(issue.listId);
    const batches: Subscriber[][] = [];
    for (let i = 0; i < subscribers.length; i += 450) {
      batches.push(subscribers.slice(i, i + 450));
    }
    const result = await deliverIssueBatch.batchTriggerAndWait( // must-not: unchecked-child-result
      batches.map((batch, index) => ({
        payload: { issue, subscribers: batch },
        options: { idempotencyKey: `${issue.id}-batch-${index}` }, // must-not: raw-string-idempotency-key
      })),
    );
    const rejected = result.runs.reduce((n, run) => n + (run.ok ? run.output.rejected : 0), 0);
    logger.info("Issue sent", { issue: issue.id, batches: batches.length, rejected });
    return { batches: batches.length, rejected };
  },
});
