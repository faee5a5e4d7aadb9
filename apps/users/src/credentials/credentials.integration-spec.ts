import { performance } from 'node:perf_hooks';
import { BusRemoteError } from '@up/bus';
import { ErrorCode, USERS } from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { registerMemberDto } from '../../test/factories/member.factory';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { AdminService } from '../admin/admin.service';
import { INVALID_CREDENTIALS_MESSAGE } from './credentials.errors';
import { CredentialsService } from './credentials.service';

describe(CredentialsService.name, () => {
  let harness: UsersServiceHarness;
  let sut: CredentialsService;

  beforeAll(async () => {
    harness = await startUsersService({ ADMIN_EMAILS: 'Chief@Example.org' });
    sut = harness.get(CredentialsService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  describe('register', () => {
    it('creates a signed-in member with a referral code, lower-casing the email', async () => {
      const dto = registerMemberDto({ email: 'Mixed.Case@Example.ORG' });
      const { profile, version } = await sut.register(dto);
      expect(profile).toMatchObject({
        email: 'mixed.case@example.org',
        full_name: dto.full_name,
        role: 'member',
        up_coins: 0,
        telegram_id: null,
        referred_by: null,
        achievements_count: 0,
      });
      expect(profile.referral_code).toMatch(/^UP-[A-Z0-9]{6}$/);
      expect(profile.last_login).not.toBeNull();
      expect(version).toBeGreaterThanOrEqual(1);
      await expect(harness.profileVersionInRedis(profile.id)).resolves.toBe(version);
    });

    it('refuses a taken email, whatever its case: EMAIL_TAKEN', async () => {
      const dto = registerMemberDto();
      await sut.register(dto);
      await expect(
        errorCodeOf(sut.register({ ...dto, email: dto.email.toUpperCase() })),
      ).resolves.toBe(ErrorCode.EMAIL_TAKEN);
    });

    it('lets exactly one of ten concurrent registrations of one email through', async () => {
      const dto = registerMemberDto();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => sut.register({ ...dto, full_name: `Racer ${i}` })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r.reason as { code: string }).code)).toEqual(
        Array(9).fill(ErrorCode.EMAIL_TAKEN),
      );
      const [{ count }] = await harness.dataSource.query(
        `SELECT count(*)::int AS count FROM users.members WHERE email = $1`,
        [dto.email],
      );
      expect(count).toBe(1);
    });

    it('refuses an unknown referral code: REFERRAL_CODE_NOT_FOUND, and creates nobody', async () => {
      const dto = registerMemberDto({ referral_code: 'UP-ZZZZZZ' });
      await expect(errorCodeOf(sut.register(dto))).resolves.toBe(ErrorCode.REFERRAL_CODE_NOT_FOUND);
      await expect(errorCodeOf(sut.verifyCredentials(dto))).resolves.toBe(
        ErrorCode.INVALID_CREDENTIALS,
      );
    });

    // Issue 10 changed this: anyone can register any address, so ADMIN_EMAILS waits for the
    // email's verification (account/email-verification.integration-spec.ts).
    it('does not make members named in ADMIN_EMAILS admins at registration (email unverified)', async () => {
      const { profile } = await sut.register(registerMemberDto({ email: 'chief@example.org' }));
      expect(profile).toMatchObject({ role: 'member', email_verified: false });
    });

    it('validates the payload on the bus: bad email and short password are VALIDATION_FAILED', async () => {
      const error = await harness.bus
        .send(USERS.REGISTER, { email: 'not-an-email', password: 'short', full_name: 'X' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusRemoteError);
      expect((error as BusRemoteError).code).toBe(ErrorCode.VALIDATION_FAILED);
      expect((error as BusRemoteError).status).toBe(400);
      expect(JSON.stringify((error as BusRemoteError).details)).toMatch(/email/);
      expect(JSON.stringify((error as BusRemoteError).details)).toMatch(/password/);
    });

    it('answers over the bus with the profile and its version', async () => {
      const dto = registerMemberDto();
      const result = await harness.bus.send(USERS.REGISTER, dto);
      expect(result.profile.email).toBe(dto.email);
      expect(typeof result.version).toBe('number');
    });
  });

  describe('verifyCredentials', () => {
    it('signs in with the right password (any email case) and records the login', async () => {
      const dto = registerMemberDto();
      const registered = await sut.register(dto);
      const { profile, version } = await sut.verifyCredentials({
        email: ` ${dto.email.toUpperCase()} `,
        password: dto.password,
      });
      expect(profile.id).toBe(registered.profile.id);
      expect(version).toBeGreaterThan(registered.version);
      expect(new Date(profile.last_login ?? 0).getTime()).toBeGreaterThanOrEqual(
        new Date(registered.profile.last_login ?? Infinity).getTime(),
      );
    });

    it('gives the same error for an unknown email and a wrong password', async () => {
      const dto = registerMemberDto();
      await sut.register(dto);
      const unknown = await sut
        .verifyCredentials({ email: `nobody.${dto.email}`, password: dto.password })
        .catch((e: unknown) => e);
      const wrong = await sut
        .verifyCredentials({ email: dto.email, password: `${dto.password}!` })
        .catch((e: unknown) => e);
      for (const error of [unknown, wrong]) {
        expect(error).toMatchObject({
          code: ErrorCode.INVALID_CREDENTIALS,
          message: INVALID_CREDENTIALS_MESSAGE,
          status: 401,
        });
      }
    });

    it('takes similar time for an unknown email and a wrong password', async () => {
      const dto = registerMemberDto();
      await sut.register(dto);
      const timeOf = async (email: string) => {
        const samples: number[] = [];
        for (let i = 0; i < 7; i++) {
          const started = performance.now();
          await sut.verifyCredentials({ email, password: 'wrong password' }).catch(() => undefined);
          samples.push(performance.now() - started);
        }
        return samples.sort((a, b) => a - b)[3];
      };
      const unknownMs = await timeOf(`nobody.${dto.email}`);
      const wrongMs = await timeOf(dto.email);
      // Both run one argon2 verification (tens of ms); a missing verification would be ~1 ms.
      expect(unknownMs / wrongMs).toBeGreaterThan(0.5);
      expect(unknownMs / wrongMs).toBeLessThan(2);
    });

    it('refuses a deactivated member with the right password: MEMBER_INACTIVE', async () => {
      const admin = await harness.given.emailMember();
      await harness.dataSource.query(`UPDATE users.members SET role = 'admin' WHERE id = $1`, [
        admin.id,
      ]);
      const dto = registerMemberDto();
      const { profile } = await sut.register(dto);
      await harness
        .get(AdminService)
        .update({ member_id: profile.id, actor_id: admin.id, is_active: false });
      await expect(errorCodeOf(sut.verifyCredentials(dto))).resolves.toBe(
        ErrorCode.MEMBER_INACTIVE,
      );
      await expect(
        errorCodeOf(sut.verifyCredentials({ ...dto, password: 'wrong password' })),
      ).resolves.toBe(ErrorCode.INVALID_CREDENTIALS);
    });

    it('makes a member with a verified email admin at sign-in once ADMIN_EMAILS names them', async () => {
      const dto = registerMemberDto();
      const later = await startUsersService({ ADMIN_EMAILS: dto.email });
      try {
        // A member who registered before the list named them.
        await later.get(CredentialsService).register(dto);
        await later.dataSource.query(
          `UPDATE users.members SET role = 'member', email_verified_at = now()`,
        );
        const { profile } = await later.get(CredentialsService).verifyCredentials(dto);
        expect(profile.role).toBe('admin');
      } finally {
        await later.close();
      }
    });
  });
});
