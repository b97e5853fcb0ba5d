import { readdir, readFile } from 'node:fs/promises';
import type { Measure } from './load.js';

/** USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream Linux build). */
const TICK_MS = 10;

export interface ThreadCpu {
  /** CPU ms by thread group: MainThread, libuv-worker (argon2 runs here), other (V8 helpers …). */
  mainMs: number;
  libuvMs: number;
  otherMs: number;
}

/** CPU time per thread group of one process, from /proc/<pid>/task/<tid>/stat. */
export async function threadCpu(pid: number): Promise<ThreadCpu> {
  const result: ThreadCpu = { mainMs: 0, libuvMs: 0, otherMs: 0 };
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || close < 0) continue;
    const comm = stat.slice(open + 1, close);
    // Fields after the comm: state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(close + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    if (comm === 'MainThread' || tid === String(pid)) result.mainMs += ms;
    else if (comm === 'libuv-worker') result.libuvMs += ms;
    else result.otherMs += ms;
  }
  return result;
}

export const diffCpu = (a: ThreadCpu, b: ThreadCpu): ThreadCpu => ({
  mainMs: b.mainMs - a.mainMs,
  libuvMs: b.libuvMs - a.libuvMs,
  otherMs: b.otherMs - a.otherMs,
});

/** Busy CPU ms of the whole machine (all cores, every process) from /proc/stat. */
export async function machineBusyMs(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
  const busy = n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0);
  return busy * TICK_MS;
}

const totalMs = (t: ThreadCpu) => t.mainMs + t.libuvMs + t.otherMs;

/** CPU ms of each live process of `pids` (all its threads), from /proc/<pid>/stat; gone ones are left out. */
async function processesCpu(pids: readonly number[]): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const fields = stat.slice(close + 2).split(' ');
    result.set(pid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
  }
  return result;
}

/**
 * CPU ms a group of processes spent between two readings: each process present at the second
 * (one born in between counts from zero, e.g. a new Postgres backend); one that exited in
 * between is lost, so the figure is a lower bound.
 */
function groupDiff(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

/**
 * Wraps a measure with CPU per completed operation, which other load on the machine does not
 * inflate the way it does rates: the service's threads by group (extra `mainThreadMs`,
 * `libuvThreadsMs`, `otherThreadsMs`, `serviceMs`), every process of `others` (`<name>Ms`), and
 * the whole machine (`machineBusyMs`, every process including other tenants).
 */
export function cpuPerOp(
  subjects: {
    service: () => number;
    others?: Record<string, () => number>;
    /** Groups of processes whose members change (`<name>Ms`): the Postgres backends of a database. */
    groups?: Record<string, () => Promise<number[]>>;
  },
  measure: Measure,
): Measure {
  const others = Object.entries(subjects.others ?? {});
  const groups = Object.entries(subjects.groups ?? {});
  const read = async (known: readonly number[][] = []) => ({
    service: await threadCpu(subjects.service()),
    others: await Promise.all(others.map(([, pid]) => threadCpu(pid()).then(totalMs))),
    groups: await Promise.all(groups.map(async ([, pids], i) => processesCpu([...new Set([...(known[i] ?? []), ...(await pids())])]))),
    busy: await machineBusyMs(),
  });
  return async (sec) => {
    const before = await read();
    const r = await measure(sec);
    const after = await read(before.groups.map((g) => [...g.keys()]));
    const per = (ms: number) => ms / Math.max(1, r.ok);
    const d = diffCpu(before.service, after.service);
    return {
      ...r,
      extra: {
        ...r.extra,
        mainThreadMs: per(d.mainMs),
        libuvThreadsMs: per(d.libuvMs),
        otherThreadsMs: per(d.otherMs),
        serviceMs: per(totalMs(d)),
        ...Object.fromEntries(others.map(([name], i) => [`${name}Ms`, per((after.others[i] ?? 0) - (before.others[i] ?? 0))])),
        ...Object.fromEntries(groups.map(([name], i) => [`${name}Ms`, per(groupDiff(before.groups[i] ?? new Map(), after.groups[i] ?? new Map()))])),
        machineBusyMs: per(after.busy - before.busy),
      },
    };
  };
}
