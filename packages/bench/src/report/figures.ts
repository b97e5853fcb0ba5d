export type TargetOp = '>=' | '<=' | '<';

export interface Target {
  op: TargetOp;
  value: number;
}

/** One number of the report, with its target and verdict when the issue sets one. */
export interface Figure {
  id: string;
  scenario: number;
  title: string;
  value: number;
  unit: string;
  target?: Target;
  pass?: boolean;
  note?: string;
}

function meets(value: number, target: Target): boolean {
  if (Number.isNaN(value)) return false;
  if (target.op === '>=') return value >= target.value;
  if (target.op === '<=') return value <= target.value;
  return value < target.value;
}

export function figure(f: Omit<Figure, 'pass'>): Figure {
  return f.target === undefined ? f : { ...f, pass: meets(f.value, f.target) };
}

/** Whatever a scenario wants kept in the JSON (per-run numbers, settings, what a route touches). */
export type Details = Record<string, unknown>;

export interface ScenarioResult {
  scenario: number;
  title: string;
  figures: Figure[];
  /** Markdown lines explaining method and context, printed under the scenario's table. */
  notes: string[];
  details: Details;
}
