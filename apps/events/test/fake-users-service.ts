import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { BusRemoteError, BusTimeoutError } from '@up/bus';
import {
  AchievementCode,
  AwardAchievementDto,
  CoinChangeResult,
  CreditCoinsDto,
  DebitCoinsDto,
  DomainError,
  ErrorCode,
  EventName,
  GetProfileDto,
  GetPublicProfilesDto,
  PublicProfile,
  RequestPattern,
  USERS,
} from '@up/contracts';

interface LedgerEntry {
  key: string;
  memberId: string;
  /** Signed: negative for a debit. */
  amount: number;
  result: CoinChangeResult;
}

/** How the next call to a pattern misbehaves: lost before it is handled, or its answer lost. */
export type Fault = 'lost-request' | 'lost-answer' | 'internal-error';

/**
 * The users service as the events service sees it over the bus, in memory: balances, a ledger
 * with idempotency keys (same key: same answer, nothing changes), achievements, public profiles.
 * Payloads are validated with the contract DTOs, as the real handler would. Faults can be injected
 * per pattern to play timeouts and crashes.
 */
export class FakeUsersService {
  readonly balances = new Map<string, number>();
  readonly ledger: LedgerEntry[] = [];
  readonly achievements = new Map<string, Set<AchievementCode>>();
  readonly calls: { pattern: string; payload: unknown }[] = [];
  readonly emitted: { event: string; payload: unknown }[] = [];
  private readonly faults = new Map<string, Fault[]>();
  /** Optional delay per call, to widen race windows. */
  latencyMs = 0;

  addMember(coins = 0): string {
    const id = randomUUID();
    this.balances.set(id, coins);
    return id;
  }

  failNext(pattern: string, fault: Fault): void {
    this.faults.set(pattern, [...(this.faults.get(pattern) ?? []), fault]);
  }

  entriesOf(memberId: string): LedgerEntry[] {
    return this.ledger.filter((e) => e.memberId === memberId);
  }

  /** The BusClient the events service injects. */
  asBusClient() {
    return {
      send: <TReq, TRes>(pattern: RequestPattern<TReq, TRes>, payload: TReq): Promise<TRes> =>
        this.send(pattern, payload) as Promise<TRes>,
      emit: async <P>(event: EventName<P>, payload: P): Promise<void> => {
        this.emitted.push({ event, payload });
      },
    };
  }

  private async send(pattern: string, payload: unknown): Promise<unknown> {
    this.calls.push({ pattern, payload });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const fault = this.faults.get(pattern)?.shift();
    if (fault === 'lost-request') throw new BusTimeoutError(pattern, 5000);
    if (fault === 'internal-error') {
      throw new BusRemoteError({ status: 500, code: ErrorCode.INTERNAL, message: 'boom' }, pattern);
    }
    let answer: unknown;
    try {
      answer = this.handle(pattern, payload);
    } catch (error) {
      if (error instanceof DomainError) throw new BusRemoteError(error.toPayload(), pattern);
      throw error;
    }
    if (fault === 'lost-answer') throw new BusTimeoutError(pattern, 5000);
    return answer;
  }

  private handle(pattern: string, payload: unknown): unknown {
    switch (pattern) {
      case USERS.DEBIT_COINS:
        return this.change(valid(DebitCoinsDto, payload), -1);
      case USERS.CREDIT_COINS:
        return this.change(valid(CreditCoinsDto, payload), +1);
      case USERS.GET_PROFILE: {
        const { member_id } = valid(GetProfileDto, payload);
        return { profile: { id: member_id, up_coins: this.balanceOf(member_id) }, version: 1 };
      }
      case USERS.AWARD_ACHIEVEMENT: {
        const { member_id, code } = valid(AwardAchievementDto, payload);
        this.balanceOf(member_id);
        const owned = this.achievements.get(member_id) ?? new Set<AchievementCode>();
        const awarded = !owned.has(code);
        owned.add(code);
        this.achievements.set(member_id, owned);
        return { awarded, code };
      }
      case USERS.GET_PUBLIC_PROFILES: {
        const { member_ids } = valid(GetPublicProfilesDto, payload);
        return member_ids.filter((id) => this.balances.has(id)).map(publicProfileOf);
      }
      default:
        throw new Error(`FakeUsersService: no handler for ${pattern}`);
    }
  }

  private balanceOf(memberId: string): number {
    const balance = this.balances.get(memberId);
    if (balance === undefined) {
      throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'Member not found');
    }
    return balance;
  }

  private change(dto: DebitCoinsDto | CreditCoinsDto, sign: 1 | -1): CoinChangeResult {
    const previous = this.ledger.find((e) => e.key === dto.idempotency_key);
    if (previous) {
      if (previous.memberId !== dto.member_id || previous.amount !== sign * dto.amount) {
        throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'Idempotency key reused');
      }
      return { ...previous.result, applied: false };
    }
    const balance = this.balanceOf(dto.member_id) + sign * dto.amount;
    if (balance < 0) throw new DomainError(ErrorCode.INSUFFICIENT_COINS, 'Not enough UP coins');
    this.balances.set(dto.member_id, balance);
    const result = { balance, transaction_id: randomUUID(), applied: true };
    this.ledger.push({
      key: dto.idempotency_key,
      memberId: dto.member_id,
      amount: sign * dto.amount,
      result,
    });
    return result;
  }
}

function valid<T extends object>(cls: new () => T, payload: unknown): T {
  const dto = plainToInstance(cls, payload);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Validation failed', errors);
  }
  return dto;
}

function publicProfileOf(id: string): PublicProfile {
  return {
    id,
    full_name: `Member ${id.slice(0, 8)}`,
    role: 'member',
    created_at: new Date(0).toISOString(),
    achievements_count: 0,
    referral_code: 'UP-ABC123',
    photo_url: null,
  };
}
