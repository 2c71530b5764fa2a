/**
 * The account's balance from `GET /v1/get-user-credits`. An account that never had credits may
 * have no balance record, which Segmind answers with 404 ("No credits found for the user"):
 * that is a key that works and a balance of nothing, not an error.
 */
import type { SegmindClient } from '../../api/client.js';
import { NotFoundError } from '../../errors.js';
import { roundCredits } from './credits.js';

export interface Balance {
  /** Paid credits; 0 for an account without a balance record. */
  credits: number;
  /** Free credits, when Segmind reports them. */
  freeCredits?: number;
  /** What a run can spend: credits and free credits together. */
  total: number;
  /** false: Segmind has no balance record for this account (404). */
  record: boolean;
}

export async function readBalance(client: Pick<SegmindClient, 'credits'>, signal?: AbortSignal): Promise<Balance> {
  try {
    const { credits = 0, freeCredits } = await client.credits({ signal });
    return { credits, freeCredits, total: roundCredits(credits + (freeCredits ?? 0)), record: true };
  } catch (e) {
    if (e instanceof NotFoundError) return { credits: 0, total: 0, record: false };
    throw e;
  }
}

/** The `--json` shape of a balance (`credits`, `auth status`). */
export function balanceJson(b: Balance): {
  credits: number;
  free_credits: number | null;
  total: number;
  balance_record: boolean;
} {
  return { credits: b.credits, free_credits: b.freeCredits ?? null, total: b.total, balance_record: b.record };
}
