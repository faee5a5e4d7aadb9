import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';

/**
 * argon2id with OWASP's Password Storage Cheat Sheet parameters (19 MiB of memory, 2 passes, one
 * lane). Raising them later is safe: hashes carry their parameters, and a login with an older
 * hash rehashes it (needsRehash).
 */
export const PASSWORD_HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** A hash of a random secret, verified against when there is no member, so that an unknown
   * email costs the same time as a wrong password. */
  private dummyHash?: Promise<string>;

  onModuleInit(): void {
    void this.dummy();
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, PASSWORD_HASH_OPTIONS);
  }

  /** Verifies against `hash`, or against the dummy hash when there is none (always false then). */
  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      await argon2.verify(await this.dummy(), password);
      return false;
    }
    return argon2.verify(hash, password);
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, PASSWORD_HASH_OPTIONS);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64'));
    return this.dummyHash;
  }
}
