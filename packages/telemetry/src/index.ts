export {
  REQUEST_ID_HEADER,
  currentRequestId,
  currentRequestOrigin,
  currentTraceContext,
  flushTraces,
  runInTraceContext,
  runWithRequestId,
} from './trace-context.js';
export type { RequestOrigin, TraceCarrier } from './trace-context.js';
