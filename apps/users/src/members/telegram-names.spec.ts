import { MemberEntity } from './member.entity';
import { DEFAULT_FULL_NAME, fullNameFollowsTelegram, fullNameFromTelegram } from './telegram-names';

describe(fullNameFromTelegram.name, () => {
  it('joins first and last names, else takes the username, else a neutral name', () => {
    expect(fullNameFromTelegram({ firstName: 'Ivan', lastName: 'Petrov' })).toBe('Ivan Petrov');
    expect(fullNameFromTelegram({ firstName: ' Ivan ', lastName: null })).toBe('Ivan');
    expect(fullNameFromTelegram({ firstName: '  ', username: 'ivan_p' })).toBe('ivan_p');
    expect(fullNameFromTelegram({})).toBe(DEFAULT_FULL_NAME);
  });
});

describe(fullNameFollowsTelegram.name, () => {
  const member = (fields: Partial<MemberEntity>) =>
    Object.assign(new MemberEntity(), {
      firstName: 'Ivan',
      lastName: 'Petrov',
      username: null,
      ...fields,
    });

  it('is true while the name is the one Telegram gave, false once the member chose another', () => {
    expect(fullNameFollowsTelegram(member({ fullName: 'Ivan Petrov' }))).toBe(true);
    expect(fullNameFollowsTelegram(member({ fullName: 'Vanya' }))).toBe(false);
  });
});
