import { parseReminderOffsets } from './reminder-offsets';

describe(parseReminderOffsets.name, () => {
  it('reads seconds, minutes, hours and days, longest first, keeping the labels', () => {
    expect(parseReminderOffsets('1h, 24h,90s,15m,2d ,2h')).toEqual([
      { label: '2d', ms: 172_800_000 },
      { label: '24h', ms: 86_400_000 },
      { label: '2h', ms: 7_200_000 },
      { label: '1h', ms: 3_600_000 },
      { label: '15m', ms: 900_000 },
      { label: '90s', ms: 90_000 },
    ]);
  });

  it.each(['', ' , ', '24', 'h', '1.5h', '-1h', '0s', '2 hours', '1w', '24h,1d'])(
    'refuses %j',
    (text) => {
      expect(() => parseReminderOffsets(text)).toThrow();
    },
  );
});
