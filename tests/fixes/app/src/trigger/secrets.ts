import { configure, logger, task } from "@trigger.dev/sdk";

// hardcoded-secret-key: a literal key, and a literal fallback of the same variable
configure({ accessToken: "tr_dev_Xq8ZpL2mNvB4kR7tYw1cHs9J" });

export const syncAccounts = task({
  id: "sync-accounts",
  run: async (payload: { since: string }) => {
    const key = process.env.TRIGGER_SECRET_KEY ?? "tr_prod_Vb3Nq7Lk2Wx9Zr5Tm8Pd4Hj6";
    logger.info("syncing", { since: payload.since, hasKey: key.length > 0 });
    return { since: payload.since };
  },
});
