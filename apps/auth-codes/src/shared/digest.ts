import { createHash, randomBytes } from 'node:crypto';

/**
 * A new secret: 32 bytes from the operating system's CSPRNG (256 bits), base64url without
 * padding (43 characters), safe in URLs and query strings as it is.
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a secret: what is stored instead of the secret. The secrets are 256-bit random values,
 * so neither a salt nor a slow hash is needed: the hash cannot be inverted by guessing.
 */
export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
