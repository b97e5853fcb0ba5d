/** Text rules live with the contracts (inputs on both sides of the boundary use them). */
export { safeText } from '@authmeet/contracts';
export type { TextKind } from '@authmeet/contracts';
