import * as argon2 from 'argon2';
import { PASSWORD_HASH_OPTIONS, PasswordHasher } from './password-hasher';

function newTestService(): PasswordHasher {
  return new PasswordHasher();
}

describe(PasswordHasher.name, () => {
  it('hashes with argon2id at least at OWASP parameters (m=19456 KiB, t=2, p=1)', async () => {
    const sut = newTestService();
    const hash = await sut.hash('correct horse battery staple');
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    expect(match).not.toBeNull();
    const [, m, t, p] = (match ?? []).map(Number);
    expect(m).toBeGreaterThanOrEqual(19_456);
    expect(t).toBeGreaterThanOrEqual(2);
    expect(p).toBeGreaterThanOrEqual(1);
    expect(PASSWORD_HASH_OPTIONS.type).toBe(argon2.argon2id);
  });

  it('salts every hash', async () => {
    const sut = newTestService();
    expect(await sut.hash('same password')).not.toBe(await sut.hash('same password'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const sut = newTestService();
    const hash = await sut.hash('correct horse battery staple');
    await expect(sut.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(sut.verify(hash, 'Correct horse battery staple')).resolves.toBe(false);
  });

  it('refuses any password when there is no hash, after doing the same work', async () => {
    const sut = newTestService();
    await expect(sut.verify(null, '')).resolves.toBe(false);
    await expect(sut.verify(null, 'anything at all')).resolves.toBe(false);
  });

  it('asks to rehash hashes made with weaker parameters', async () => {
    const sut = newTestService();
    const weak = await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1 });
    expect(sut.needsRehash(weak)).toBe(true);
    expect(sut.needsRehash(await sut.hash('pw'))).toBe(false);
  });
});
