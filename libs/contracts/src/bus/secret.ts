/**
 * Secret fields of bus messages (passwords, refresh tokens, login codes): a field marked here never
 * stays at rest in Redis through the bus (dead-letter copies replace it with "[redacted]") and never
 * reaches a log line the bus writes. Marked by name, on the DTO that carries it:
 *
 * ```ts
 * class VerifyCredentialsDto { @Secret() @IsString() password!: string; }
 * ```
 *
 * Redaction goes by field name wherever it appears in a message, which errs on the safe side: a
 * same-named harmless field elsewhere is hidden too. Reply shapes are interfaces (no decorators);
 * `markSecretFields` names theirs.
 */
const SECRET_FIELDS = new Set<string>();

export const REDACTED = '[redacted]';

/** Marks a DTO property as secret (see above). */
export function Secret(): PropertyDecorator {
  return (_target, property) => {
    SECRET_FIELDS.add(String(property));
  };
}

/** Marks fields of a reply interface (or any shape without decorators) as secret. */
export function markSecretFields(...names: string[]): void {
  for (const name of names) SECRET_FIELDS.add(name);
}

export function isSecretField(name: string): boolean {
  return SECRET_FIELDS.has(name);
}

/** A copy of `value` with every secret field, at any depth, replaced by "[redacted]". */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // Bus payloads are shallow; a pathological one is cut rather than walked.
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_FIELDS.has(key) ? REDACTED : redactSecrets(item, depth + 1);
  }
  return copy;
}
