import { BusClient } from '@up/bus';
import { CoinTransaction, MAX_PAGE_LIMIT, USERS } from '@up/contracts';

/** Ledger reasons the events service writes (`ledgerReason('Event' | 'Refund' | 'Event cancelled', title)`). */
const EVENTS_REASON = /^(Event|Refund|Event cancelled): /;

/**
 * The real users service's coin ledger, read over the bus the way any client reads it
 * (`users.get_coins`), for assertions on what the events service charged and refunded.
 */
export class UsersLedger {
  constructor(private readonly bus: BusClient) {}

  /** The member's whole ledger, oldest first. */
  async of(memberId: string): Promise<CoinTransaction[]> {
    const newestFirst: CoinTransaction[] = [];
    for (let offset = 0; ; offset += MAX_PAGE_LIMIT) {
      const page = await this.bus.send(USERS.GET_COINS, {
        member_id: memberId,
        limit: MAX_PAGE_LIMIT,
        offset,
      });
      newestFirst.push(...page.transactions);
      if (newestFirst.length >= page.total || page.transactions.length === 0) break;
    }
    return newestFirst.reverse();
  }

  /** What the events service did to the member's coins (prices and refunds), oldest first. */
  async eventMovementsOf(memberId: string): Promise<CoinTransaction[]> {
    return (await this.of(memberId)).filter((t) => EVENTS_REASON.test(t.reason));
  }

  /**
   * The ledger row an idempotency key was applied as. Repeating a key changes nothing and answers
   * the first transaction, so this proves which key a movement carries; a key the ledger did not
   * know yet would be applied by the repeat, which fails the test.
   */
  async transactionOfKey(args: {
    memberId: string;
    key: string;
    /** Signed, as the ledger shows it: negative for a debit. */
    amount: number;
  }): Promise<string> {
    const change = {
      member_id: args.memberId,
      amount: Math.abs(args.amount),
      idempotency_key: args.key,
      reason: 'Idempotency key check',
    };
    const result =
      args.amount < 0
        ? await this.bus.send(USERS.DEBIT_COINS, change)
        : await this.bus.send(USERS.CREDIT_COINS, change);
    if (result.applied) throw new Error(`${args.key} was not in the ledger (the check applied it)`);
    return result.transaction_id;
  }
}
