import { isReferralCode, REFERRAL_CODE_ALPHABET, REFERRAL_CODE_REGEX } from '@up/contracts';
import { generateReferralCode } from './referral-code.generator';

describe(generateReferralCode.name, () => {
  it('makes UP- and six characters of A-Z0-9', () => {
    for (let i = 0; i < 2000; i++) {
      const sut = generateReferralCode();
      expect(sut).toMatch(REFERRAL_CODE_REGEX);
      expect(isReferralCode(sut)).toBe(true);
    }
  });

  it('draws every character from the whole alphabet and nothing else', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      for (const c of generateReferralCode().slice(3)) seen.add(c);
    }
    expect([...seen].sort().join('')).toBe([...REFERRAL_CODE_ALPHABET].sort().join(''));
  });

  it('maps the random index to the alphabet at both ends', () => {
    expect(generateReferralCode(() => 0)).toBe('UP-AAAAAA');
    expect(generateReferralCode((max) => max - 1)).toBe('UP-999999');
    expect(generateReferralCode(() => 25)).toBe('UP-ZZZZZZ');
  });

  it('asks the generator for indexes below the alphabet size', () => {
    const bounds: number[] = [];
    generateReferralCode((max) => {
      bounds.push(max);
      return 0;
    });
    expect(bounds).toEqual(Array(6).fill(36));
  });

  it('rarely repeats itself (10,000 codes, 2.2 billion possible)', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => generateReferralCode()));
    // Expected collisions ≈ n²/2N ≈ 0.02; more than 2 would mean a broken generator.
    expect(codes.size).toBeGreaterThanOrEqual(9_998);
  });
});
