import { benchPassword, bearer, login, mapLimited, registerUser } from '../harness/fixtures.js';
import type { Tokens } from '../harness/fixtures.js';
import { httpJson } from '../harness/http.js';
import { round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';
import { GIVE_UP_MS, summarize, timeToRefusal } from './refusal.js';
import type { Trial } from './refusal.js';

/**
 * 9: time from an admin's role change or disable returning at the auth-service to the
 * meetings-service refusing the user's older access token (the not-before marker, published
 * like a session revocation). One user per trial: a user's marker moves at most once a second
 * with the clock, so repeated changes of one user would measure that, not the propagation.
 */
export async function adminChanges(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.config.adminChangeTrials;
  const auth = ctx.stack.auth.url;
  const concurrency = ctx.config.argon2MaxConcurrency * 2;
  ctx.log(`9 admin changes: ${n} role changes and ${n} disables (registering and logging in ${2 * n} users first)`);
  const password = benchPassword();
  // The first admin is made as an operator would: the users:role command from the build.
  const admin = await registerUser(auth, 'admin', password);
  await ctx.stack.command('auth-service', 'users-role', ['--email', admin.email, '--grant', 'admin']);
  const adminHeaders = bearer(await login(auth, admin));
  const sessions = await mapLimited(2 * n, concurrency, async () => login(auth, await registerUser(auth, 'target', password)));

  const change = (tokens: Tokens, kind: 'roles' | 'disable') => async () => {
    const url = `${auth}/v1/admin/users/${tokens.user.id}/${kind}`;
    if (kind === 'roles') await httpJson(url, { method: 'PUT', headers: adminHeaders, json: { roles: ['moderator'] } }, 200);
    else await httpJson(url, { method: 'POST', headers: adminHeaders, json: { reason: 'bench' } }, 200);
  };
  const roleTrials: Trial[] = [];
  const disableTrials: Trial[] = [];
  for (const [i, tokens] of sessions.entries()) {
    if (i < n) roleTrials.push(await timeToRefusal(ctx, tokens, change(tokens, 'roles')));
    else disableTrials.push(await timeToRefusal(ctx, tokens, change(tokens, 'disable')));
  }
  const roles = summarize(roleTrials);
  const disable = summarize(disableTrials);
  const both = summarize([...roleTrials, ...disableTrials]);
  const target = { op: '<' as const, value: 100 };
  return {
    scenario: 9,
    title: 'Admin changes propagation (role change / disable → meetings-service refuses)',
    figures: [
      figure({ id: 'admin_change_p99_ms', scenario: 9, title: 'role change or disable returned → older token refused, p99', value: both.p99, unit: 'ms', target }),
      figure({ id: 'role_change_p50_ms', scenario: 9, title: 'role change returned → older token refused, p50', value: roles.p50, unit: 'ms' }),
      figure({ id: 'role_change_p99_ms', scenario: 9, title: 'role change returned → older token refused, p99', value: roles.p99, unit: 'ms', target }),
      figure({ id: 'disable_p50_ms', scenario: 9, title: 'disable returned → token refused, p50', value: disable.p50, unit: 'ms' }),
      figure({ id: 'disable_p99_ms', scenario: 9, title: 'disable returned → token refused, p99', value: disable.p99, unit: 'ms', target }),
    ],
    notes: [
      `${n} role changes and ${n} disables, one user each (the admin made with \`node dist/src/users-role.js --grant admin\`). Per trial: one authenticated request to \`${ctx.probe.path}\` with the user's token (the meetings-service confirms the session), \`PUT /v1/admin/users/{id}/roles\` \`["moderator"]\` or \`POST /v1/admin/users/{id}/disable\` by the admin, then the same request in a tight sequential loop on a keep-alive connection until it answers 401 or 403 (give up after ${GIVE_UP_MS} ms).`,
      `Refused at the very first poll: ${roles.refusedAtFirstPoll}/${n} role changes, ${disable.refusedAtFirstPoll}/${n} disables; never refused: ${both.failed}. Max ${round(roles.max, 2)} ms (roles), ${round(disable.max, 2)} ms (disable).`,
    ],
    details: { roles, disable },
  };
}
