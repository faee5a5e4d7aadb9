import { Injectable } from '@nestjs/common';
import { BusClient } from '@up/bus';
import { MemberStanding, USERS } from '@up/contracts';
import { ProfileVersions } from '../members/profile-versions';

/** Members whose standing this process remembers; beyond that the least recently used go. */
const MAX_ENTRIES = 10_000;
/**
 * How long a remembered standing is trusted while the profile version in Redis still matches it.
 * The users service publishes each version after its commit and keeps what it could not publish
 * for later, but a replica that dies holding such a version would leave Redis matching an old
 * standing; this bounds that case. Normally a change is seen at the first request after its
 * version reaches Redis.
 */
const MAX_AGE_MS = 60_000;

interface Remembered {
  standing: MemberStanding;
  at: number;
}

/**
 * A member's current role and activity for the routes where they grant power (the caller's access
 * token says what they were at its issue, up to JWT_ACCESS_TTL ago). Remembered per member under
 * the profile version they were read at: every change of role or activity raises the version the
 * users service publishes to Redis, so a request costs one Redis GET, and a users call only when
 * the version moved, is unknown (Redis away or key expired) or the entry is old.
 */
@Injectable()
export class MemberStandings {
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    private readonly bus: BusClient,
    private readonly versions: ProfileVersions,
  ) {}

  async of(memberId: string): Promise<MemberStanding> {
    const version = await this.versions.current(memberId);
    const entry = this.remembered.get(memberId);
    if (
      version !== undefined &&
      entry !== undefined &&
      entry.standing.version === version &&
      Date.now() - entry.at < MAX_AGE_MS
    ) {
      this.remember(entry);
      return entry.standing;
    }
    const standing = await this.bus.send(USERS.GET_STANDING, { member_id: memberId });
    this.remember({ standing, at: Date.now() });
    return standing;
  }

  private remember(entry: Remembered): void {
    // A Map iterates in insertion order: re-inserting keeps the least recently used first.
    this.remembered.delete(entry.standing.member_id);
    this.remembered.set(entry.standing.member_id, entry);
    if (this.remembered.size > MAX_ENTRIES) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
  }
}
