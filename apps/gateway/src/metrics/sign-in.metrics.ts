import { errorPayloadOf } from '@up/contracts';
import { counterOnce } from '@up/health';

export const SIGN_INS_METRIC = 'auth_sign_ins_total';

/** How a member signed in (a bounded set). */
export type SignInMethod = 'password' | 'register' | 'login_code' | 'telegram' | 'refresh';

/** ok; rejected: an expected refusal (4xx: wrong password, used code, ...); error: 5xx or a timeout. */
export type SignInOutcome = 'ok' | 'rejected' | 'rate_limited' | 'error';

const signIns = counterOnce({
  name: SIGN_INS_METRIC,
  help: 'Sign-ins (and token refreshes) by method and outcome (ok, rejected, rate_limited, error)',
  labelNames: ['method', 'outcome'],
});

/** Runs a sign-in flow and counts how it ended. */
export async function countSignIn<T>(method: SignInMethod, flow: () => Promise<T>): Promise<T> {
  const counter = signIns;
  try {
    const result = await flow();
    counter.inc({ method, outcome: 'ok' });
    return result;
  } catch (error) {
    counter.inc({ method, outcome: signInOutcomeOf(error) });
    throw error;
  }
}

function signInOutcomeOf(error: unknown): SignInOutcome {
  const status = errorPayloadOf(error)?.status ?? 500;
  if (status === 429) return 'rate_limited';
  return status < 500 ? 'rejected' : 'error';
}
