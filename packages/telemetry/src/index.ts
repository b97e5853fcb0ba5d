export {
  REQUEST_ID_HEADER,
  currentRequestId,
  currentTraceContext,
  flushTraces,
  runInTraceContext,
  runWithRequestId,
} from './trace-context.js';
export type { TraceCarrier } from './trace-context.js';
