import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * The keys of the bus's sender identity. Every party (gateway, bot, each service) has a secret key
 * of its own; it signs everything it sends with it (HMAC-SHA256 of its name and the message
 * string), and a receiver holds the keys of the parties it accepts messages from. A message
 * verifies only under its sender's key, so holding the Redis password (or one service's ACL user)
 * is not enough to speak as another party. Hand-written over node:crypto: a MAC over a string
 * needs nothing more, and the KeyObjects are made once.
 */
export class BusKeyring {
  private readonly signing = new Map<string, KeyObject>();
  private readonly trusted = new Map<string, KeyObject>();
  private readonly developmentKeys: boolean;

  constructor(keys: {
    /** Keys this app signs with, by party name (an app has one: its own). */
    own: Record<string, string>;
    /** Keys of the parties this app accepts messages and replies from. */
    trusted: Record<string, string>;
    /**
     * Development and test only: any party's development key (derived from its name) is known,
     * so a developer machine and the tests run without configuring keys.
     */
    developmentKeys?: boolean;
  }) {
    this.developmentKeys = keys.developmentKeys ?? false;
    for (const [party, key] of Object.entries(keys.trusted)) this.trusted.set(party, keyOf(key));
    // An app trusts its own key: another replica of it, or its container healthcheck asking it
    // (and reading the reply), signs with that key; whoever holds it is that app anyway.
    for (const [party, key] of Object.entries(keys.own)) {
      this.signing.set(party, keyOf(key));
      this.trusted.set(party, keyOf(key));
    }
  }

  /** The MAC of `message` sent by `sender` (base64url); throws when this app holds no such key. */
  sign(sender: string, message: string): string {
    const key = this.signing.get(sender) ?? this.developmentKey(sender);
    if (!key) throw new Error(`No bus signing key for "${sender}"`);
    return mac(key, sender, message);
  }

  /** True when `signature` is `sender`'s MAC of `message` under a key this app trusts. */
  verify(sender: string, message: string, signature: string): boolean {
    const key = this.trusted.get(sender) ?? this.developmentKey(sender);
    if (!key) return false;
    // Compared as the (canonical) base64url text every signer writes: both sides are small
    // strings, so neither comparison buffer needs an allocation of its own (Buffer's pool).
    const expected = Buffer.from(mac(key, sender, message));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Whether a key of `sender` is known at all (configuration checks). */
  trusts(sender: string): boolean {
    return this.trusted.has(sender) || this.developmentKeys;
  }

  private developmentKey(party: string): KeyObject | undefined {
    if (!this.developmentKeys) return undefined;
    let key = this.trusted.get(party);
    if (!key) {
      key = keyOf(developmentBusKey(party));
      this.trusted.set(party, key);
    }
    return key;
  }
}

/** The well-known key of a party in development and test: public, so worthless elsewhere. */
export function developmentBusKey(party: string): string {
  return `development-only-bus-key-of-${party}`;
}

function keyOf(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** base64url HMAC-SHA256 of the sender's name, a newline and the message. */
function mac(key: KeyObject, sender: string, message: string): string {
  // The sender's name is part of what is signed, so a MAC never stands for another name. One
  // update of the joined string (each update is a call into OpenSSL, dearer than the
  // concatenation), and the digest encoded natively (no Buffer of its own).
  return createHmac('sha256', key).update(`${sender}\n${message}`).digest('base64url');
}
