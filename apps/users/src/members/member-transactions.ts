import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventName, MEMBER_EVENTS, MEMBER_FIELDS, MemberField } from '@up/contracts';
import {
  Outbox,
  OutboxEvent,
  outboxEvent,
  TransactionOptions,
  TransactionRunner,
  Tx,
} from '@up/database';
import { ProfileVersionPublisher } from '../profile-versions/profile-version.publisher';
import { toMemberUpdated } from './member-views';
import { MembersRepository } from './members.repository';

/** What one transaction did to a member that `member.updated` reports. */
interface MemberUpdate {
  created: boolean;
  fields: Set<MemberField>;
}

/**
 * One transaction of the users service: a `Tx` that also remembers which members it changed and
 * which bus events it publishes.
 */
export class MemberTx {
  private readonly changed = new Map<string, number>();
  private readonly updates = new Map<string, MemberUpdate>();
  private readonly events: OutboxEvent[] = [];

  constructor(private readonly tx: Tx) {}

  get manager(): EntityManager {
    return this.tx.manager;
  }

  /** The underlying transaction, for the database toolkit's helpers that take one (EventInbox). */
  get databaseTx(): Tx {
    return this.tx;
  }

  /** Records that `memberId`'s profile is now at `version` (published after the commit). */
  memberChanged(memberId: string, version: number): void {
    this.changed.set(memberId, Math.max(this.changed.get(memberId) ?? 0, version));
  }

  get changedVersions(): ReadonlyMap<string, number> {
    return this.changed;
  }

  /**
   * Records that the member was created, or that `fields` others follow were written: one
   * `member.updated` per member goes out with the transaction, with the state it commits.
   */
  memberUpdated(
    memberId: string,
    change: { created?: boolean; fields: readonly MemberField[] },
  ): void {
    const update = this.updates.get(memberId) ?? { created: false, fields: new Set() };
    update.created ||= change.created ?? false;
    for (const field of change.fields) update.fields.add(field);
    this.updates.set(memberId, update);
  }

  get memberUpdates(): ReadonlyMap<string, Readonly<MemberUpdate>> {
    return this.updates;
  }

  /** Publishes a bus event with this transaction (into the outbox, once the work is done). */
  publish<TPayload>(name: EventName<TPayload>, payload: NoInfer<TPayload>): void {
    this.events.push({ name, payload });
  }

  get publishedEvents(): readonly OutboxEvent[] {
    return this.events;
  }

  afterCommit(hook: () => unknown): void {
    this.tx.afterCommit(hook);
  }
}

/**
 * Runs the users service's writes on the shared TransactionRunner (READ COMMITTED unless asked
 * otherwise; run again on deadlocks, serialization failures, RetryTransaction and `retryWhen`).
 * When the work is done, still in its transaction, the bus events it published and one
 * `member.updated` per member it created or updated go into the outbox; once committed, the
 * profile versions of the members it changed go to Redis, so neither announces an uncommitted
 * change.
 */
@Injectable()
export class MemberTransactions {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly versions: ProfileVersionPublisher,
    private readonly outbox: Outbox,
    private readonly members: MembersRepository,
  ) {}

  run<T>(work: (tx: MemberTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.runner.run(async (tx) => {
      const memberTx = new MemberTx(tx);
      tx.afterCommit(() => this.versions.publish(memberTx.changedVersions));
      const result = await work(memberTx);
      await this.outbox.publishAll(tx, [
        ...memberTx.publishedEvents,
        ...(await this.memberUpdatedEvents(memberTx)),
      ]);
      return result;
    }, options);
  }

  /** Reads outside any transaction. */
  get manager(): EntityManager {
    return this.runner.manager;
  }

  /** Read at the end of the work, so a member changed twice is reported once, as it ends up. */
  private async memberUpdatedEvents(tx: MemberTx): Promise<OutboxEvent[]> {
    const updates = tx.memberUpdates;
    if (updates.size === 0) return [];
    const members = await this.members.findByIds(tx.manager, [...updates.keys()]);
    return members.map((member) => {
      const update = updates.get(member.id);
      const changed = MEMBER_FIELDS.filter((field) => update?.fields.has(field));
      return outboxEvent(
        MEMBER_EVENTS.UPDATED,
        toMemberUpdated(member, { created: update?.created ?? false, changed }),
      );
    });
  }
}
