import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { MemberTx } from '../members/member-transactions';
import { MemberTokenPurpose } from './member-token.entity';
import { ConsumedToken, MemberTokensRepository } from './member-tokens.repository';

/** 256 random bits: unguessable however many attempts the rate limits let through. */
const TOKEN_BYTES = 32;

/** How long each kind of token works. */
export const TOKEN_TTL_SECONDS: Record<MemberTokenPurpose, number> = {
  [MemberTokenPurpose.EMAIL_VERIFICATION]: 24 * 60 * 60,
  [MemberTokenPurpose.PASSWORD_RESET]: 60 * 60,
};

/** The stored form of a token: SHA-256 is enough, since the token itself has 256 bits of entropy. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** One-time tokens sent by mail: issued random, stored hashed, consumed once before they expire. */
@Injectable()
export class AccountTokens {
  constructor(private readonly tokens: MemberTokensRepository) {}

  /** A new token for the member; answers the token itself, which only the mail carries. */
  async issue(
    tx: MemberTx,
    args: { memberId: string; purpose: MemberTokenPurpose; email?: string | null },
  ): Promise<string> {
    const token = newToken();
    await this.tokens.add(tx, {
      memberId: args.memberId,
      purpose: args.purpose,
      tokenHash: hashToken(token),
      email: args.email ?? null,
      ttlSeconds: TOKEN_TTL_SECONDS[args.purpose],
    });
    return token;
  }

  /** What the token proved, or undefined when it is unknown, used, expired or of another purpose. */
  consume(
    tx: MemberTx,
    args: { purpose: MemberTokenPurpose; token: string },
  ): Promise<ConsumedToken | undefined> {
    return this.tokens.consume(tx, { purpose: args.purpose, tokenHash: hashToken(args.token) });
  }

  useUpAll(tx: MemberTx, args: { memberId: string; purpose: MemberTokenPurpose }): Promise<void> {
    return this.tokens.useUpAll(tx, args);
  }
}
