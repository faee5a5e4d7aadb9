/** What a coin ledger row records. WIRE VALUES: stored in the ledger and shown to clients. */
export const CoinTransactionKind = {
  /** `users.debit_coins` (e.g. the events service taking an event's price). */
  DEBIT: 'debit',
  /** `users.credit_coins` (e.g. a refund when leaving an event). */
  CREDIT: 'credit',
  /** The users service rewarding a referrer when their referee is created. */
  REFERRAL_REWARD: 'referral_reward',
  /** An administrator's adjustment (`users.admin_update` with `coins_delta`). */
  ADMIN_ADJUSTMENT: 'admin_adjustment',
  /** Two members of one person merged: the absorbed one's balance out, the survivor's in. */
  MERGE: 'merge',
} as const;

export type CoinTransactionKind = (typeof CoinTransactionKind)[keyof typeof CoinTransactionKind];

export const COIN_TRANSACTION_KINDS: readonly CoinTransactionKind[] =
  Object.values(CoinTransactionKind);
