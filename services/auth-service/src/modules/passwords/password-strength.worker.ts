/**
 * Runs in a worker thread (see password-policy.ts): zxcvbn is pure CPU and, on adversarial input,
 * costs far more than a request may hold the event loop. Imports only packages and uses only
 * erasable TypeScript, so Node loads this file as it is in development and tests, and compiled
 * in production.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

export interface StrengthTask {
  password: string;
  userInputs: string[];
}

export interface StrengthResult {
  score: number;
  hint: string | undefined;
}

const zxcvbn = new ZxcvbnFactory({
  translations: en.translations,
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary },
  // The caller already truncates; this is the estimator's own guard.
  maxLength: 64,
  // The l33t matcher tries combinations of substitutions; on symbol-heavy input the default (100)
  // costs seconds. Ten still catches the common "P4$$w0rd" spellings.
  l33tMaxSubstitutions: 10,
});

export default function estimateStrength(task: StrengthTask): StrengthResult {
  const result = zxcvbn.check(task.password, task.userInputs);
  return { score: result.score, hint: result.feedback.warning ?? result.feedback.suggestions[0] };
}
