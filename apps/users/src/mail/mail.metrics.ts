import { counterOnce } from '@up/health';

export const MAILS_METRIC = 'users_mails_total';

const mails = counterOnce({
  name: MAILS_METRIC,
  help: 'Mail send attempts by kind (a fixed set of templates) and outcome (sent, failed: retried later)',
  labelNames: ['kind', 'outcome'],
});

export function countMail(kind: string, outcome: 'sent' | 'failed'): void {
  mails.inc({ kind, outcome });
}
