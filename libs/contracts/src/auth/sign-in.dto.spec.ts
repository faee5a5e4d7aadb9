import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CallbackDto, LoginDto, RegisterDto, TelegramLoginDto } from './sign-in.dto';
import { RedeemLoginCodeDto } from './login-code.dto';

function failingFields<T extends object>(cls: new () => T, plain: object): string[] {
  const errors = validateSync(plainToInstance(cls, plain), {
    whitelist: true,
    forbidUnknownValues: true,
  });
  return errors.map((e) => e.property).sort();
}

describe('sign-in DTOs', () => {
  describe(RegisterDto.name, () => {
    const valid = { email: 'ada@example.org', password: 'correct horse', full_name: 'Ada' };

    it('accepts a valid registration and keeps the users rules (email, 8+ characters)', () => {
      expect(failingFields(RegisterDto, valid)).toEqual([]);
      expect(failingFields(RegisterDto, { ...valid, email: 'nope', password: 'short' })).toEqual([
        'email',
        'password',
      ]);
    });

    it('documents its fields for the OpenAPI document', () => {
      const documented = Reflect.getMetadata(
        'swagger/apiModelPropertiesArray',
        RegisterDto.prototype,
      ) as string[];
      expect(documented).toEqual(
        expect.arrayContaining([':email', ':password', ':full_name', ':referral_code']),
      );
    });
  });

  describe(LoginDto.name, () => {
    it('takes an email (JSON) or a username (OAuth2 password form)', () => {
      expect(failingFields(LoginDto, { email: 'a@b.c', password: 'x' })).toEqual([]);
      expect(
        failingFields(LoginDto, {
          username: 'a@b.c',
          password: 'x',
          grant_type: 'password',
          scope: '',
        }),
      ).toEqual([]);
    });

    it('needs one of them', () => {
      expect(failingFields(LoginDto, { password: 'x' })).toEqual(['email', 'username']);
    });

    it('checks each one given, also beside the other', () => {
      expect(failingFields(LoginDto, { email: 5, username: 'a@b.c', password: 'x' })).toEqual([
        'email',
      ]);
      expect(failingFields(LoginDto, { email: 'a@b.c', username: ['x'], password: 'x' })).toEqual([
        'username',
      ]);
    });
  });

  describe(CallbackDto.name, () => {
    it('turns a query-string telegram_id into a number', () => {
      const dto = plainToInstance(CallbackDto, { code: 'abc', telegram_id: '279058397' });
      expect(validateSync(dto)).toEqual([]);
      expect(dto.telegram_id).toBe(279058397);
    });

    it('refuses a non-numeric telegram_id', () => {
      expect(failingFields(CallbackDto, { code: 'abc', telegram_id: 'x1' })).toEqual([
        'telegram_id',
      ]);
    });
  });

  describe(TelegramLoginDto.name, () => {
    it('requires id, first_name, auth_date and a hex hash', () => {
      expect(
        failingFields(TelegramLoginDto, {
          id: 1,
          first_name: 'A',
          auth_date: 1,
          hash: 'f'.repeat(64),
        }),
      ).toEqual([]);
      expect(failingFields(TelegramLoginDto, { hash: 'zz' })).toEqual([
        'auth_date',
        'first_name',
        'hash',
        'id',
      ]);
    });
  });

  describe(RedeemLoginCodeDto.name, () => {
    it('refuses an empty or oversized code', () => {
      expect(failingFields(RedeemLoginCodeDto, { code: '' })).toEqual(['code']);
      expect(failingFields(RedeemLoginCodeDto, { code: 'x'.repeat(500) })).toEqual(['code']);
    });
  });
});
