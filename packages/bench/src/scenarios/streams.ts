import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { mapLimited } from '../harness/fixtures.js';
import { InspectorSession } from '../harness/inspector.js';
import { startBareStreams } from '../harness/peers.js';
import { freePort } from '../harness/ports.js';
import { memoryStatus } from '../harness/proc.js';
import { connectRedis } from '../harness/redis.js';
import { seedMeetings, seedMeetingsUsers, seedParticipations, seededMeetingId, seededUser, sql } from '../harness/seed.js';
import { REDIS_PREFIX } from '../harness/stack.js';
import { percentile, round } from '../harness/stats.js';
import { tokenMinter } from '../harness/tokens.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';

const USER_BASE = 20_000_000;
const MEETING_BASE = 20_000_000;
/** Streams opened at once: each costs a slot (Redis), a membership and a state read (Postgres). */
const OPEN_CONCURRENCY = 10;

interface Listener {
  meeting: number;
  socket: Socket;
}

/** Heap and RSS of the inspected service after two full garbage collections. */
async function settledMemory(session: InspectorSession, pid: number) {
  for (let i = 0; i < 2; i += 1) await session.send('HeapProfiler.collectGarbage');
  await delay(500);
  const { result } = await session.send<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
  const usage = JSON.parse(result.value) as { heapUsed: number; external: number; arrayBuffers: number };
  const { rssKiB } = await memoryStatus(pid);
  return { rssKiB, heapUsedKiB: Math.round(usage.heapUsed / 1024), externalKiB: Math.round(usage.external / 1024) };
}

/** 13: many open event streams on one replica: fan-out latency of one event, memory per stream. */
export async function streams(ctx: BenchContext): Promise<ScenarioResult> {
  const { stack, config } = ctx;
  const n = config.streams;
  const meetings = config.streamMeetings;
  const perMeeting = Math.ceil(n / meetings);
  ctx.log(`13 streams: seeding ${n} users, ${meetings} meetings, ${n} participations in the meetings database (COPY)`);
  await seedMeetingsUsers(stack.databases.meetings, USER_BASE, n);
  await seedMeetings(stack.databases.meetings, MEETING_BASE, meetings, (i) => USER_BASE + (i - MEETING_BASE), () => perMeeting);
  // User j is in meeting j mod `meetings`: the first `meetings` users host them.
  await seedParticipations(stack.databases.meetings, 0, n, (j) => ({ meeting: MEETING_BASE + (j % meetings), user: USER_BASE + j, host: j < meetings }));
  await sql(stack.databases.meetings, `UPDATE meetings SET max_participants = $1 WHERE id BETWEEN $2 AND $3`, [Math.max(100, perMeeting), seededMeetingId(MEETING_BASE), seededMeetingId(MEETING_BASE + meetings - 1)]);
  await sql(stack.databases.meetings, 'ANALYZE');
  const minter = await tokenMinter(stack, config.redisUrl);
  const tokens = await mapLimited(n, 8, (j) => minter.mint(seededUser(USER_BASE + j))).finally(() => minter.close());

  // The inspector forces full GCs, so memory is compared without garbage in it.
  const port = await freePort();
  const service = await stack.restart('meetings-service', [`--inspect=127.0.0.1:${port}`]);
  const session = await InspectorSession.connect(port);
  const listeners: Listener[] = [];
  /** Arrival times (performance.now()) of each event id, one per listener that got it. */
  const arrivals = new Map<string, number[]>();
  const redis = connectRedis(config.redisUrl);
  const loadBefore = loadavg().map((l) => round(l, 2));
  const target = new URL(service.url);
  /** Streams the service closed (or lost) after `: connected`, before the bench was done with them. */
  let closedEarly = 0;
  const droppedByBench = new WeakSet<Socket>();
  const drop = (l: Listener) => {
    droppedByBench.add(l.socket);
    l.socket.destroy();
  };
  /**
   * One stream on a raw TCP socket: the request written by hand, the answer read as bytes. Only
   * the status line and the `id: bench-…` lines are looked at, so the bench's one event loop
   * spends little per listener (no HTTP response parser, no SSE parser, no per-chunk strings
   * beyond a tail for a line cut between two reads). The chunked framing needs no decoding:
   * the service writes each SSE frame as one chunk, and only whole `id:` lines are matched.
   */
  const openStream = (j: number, into: Listener[], at: URL = target) => {
    const meeting = j % meetings;
    return new Promise<void>((resolve, reject) => {
      const socket = connect(Number(at.port), at.hostname);
      socket.setNoDelay(true);
      const path = `/v1/meetings/${seededMeetingId(MEETING_BASE + meeting)}/events`;
      socket.write(`GET ${path} HTTP/1.1\r\nhost: ${at.host}\r\nauthorization: Bearer ${tokens[j] ?? ''}\r\naccept: text/event-stream\r\n\r\n`);
      socket.setEncoding('latin1');
      let status: string | undefined;
      let connected = false;
      /** The last, unfinished line of what was read (or everything, before the status line). */
      let tail = '';
      socket.on('data', (chunk: string) => {
        const now = performance.now();
        const text = tail + chunk;
        if (status === undefined) {
          const eol = text.indexOf('\r\n');
          if (eol >= 0) status = text.slice(0, eol);
        }
        if (status === undefined || !status.startsWith('HTTP/1.1 200 ')) {
          // Not a stream: keep the whole answer for the error message.
          tail = text.slice(0, 2000);
          return;
        }
        if (!connected && text.includes(': connected')) {
          connected = true;
          resolve();
        }
        for (let at = text.indexOf('id: bench-'); at >= 0; at = text.indexOf('id: bench-', at + 1)) {
          const eol = text.indexOf('\n', at);
          if (eol < 0) break;
          const id = text.slice(at + 4, eol);
          const list = arrivals.get(id);
          if (list === undefined) arrivals.set(id, [now]);
          else list.push(now);
        }
        tail = text.slice(text.lastIndexOf('\n') + 1);
      });
      // Before `: connected`, an error ends in 'close' below, which rejects with it; after, it is a
      // delivery that never arrives (counted missing). A stream the bench destroyed is no failure.
      socket.on('error', (error) => {
        tail = `${error.message}: ${tail}`;
      });
      socket.on('close', () => {
        if (connected && !droppedByBench.has(socket)) closedEarly += 1;
        if (!connected) reject(new Error(`stream ${j}: closed before \`: connected\`: ${tail.slice(0, 400)}`));
      });
      into.push({ meeting, socket });
    });
  };
  /** Opens the same `n` requests on servers/bare-sse.ts (after a warm-up) and reads its memory before and after. */
  const bareFloor = async () => {
    const inspectPort = await freePort();
    const bare = await startBareStreams(ctx.registry, config, stack, inspectPort);
    const bareSession = await InspectorSession.connect(inspectPort);
    const at = new URL(bare.url);
    const opened: Listener[] = [];
    try {
      const warm: Listener[] = [];
      await mapLimited(meetings, OPEN_CONCURRENCY, (j) => openStream(j, warm, at));
      for (const l of warm) drop(l);
      await delay(1000);
      const floorBefore = await settledMemory(bareSession, bare.child.pid);
      await mapLimited(n, OPEN_CONCURRENCY, (j) => openStream(j, opened, at));
      await delay(2000);
      const floorOpen = await settledMemory(bareSession, bare.child.pid);
      return {
        before: floorBefore,
        open: floorOpen,
        perStreamKiB: round((floorOpen.rssKiB - floorBefore.rssKiB) / n, 2),
        heapPerStreamKiB: round((floorOpen.heapUsedKiB - floorBefore.heapUsedKiB) / n, 2),
      };
    } finally {
      for (const l of opened) drop(l);
      bareSession.close();
      await ctx.registry.stop('bare-sse');
    }
  };
  try {
    // Warm the route (JIT, pools, the subscriber) with one stream per meeting, then close them.
    const warm: Listener[] = [];
    await mapLimited(meetings, OPEN_CONCURRENCY, (j) => openStream(j, warm));
    for (const l of warm) drop(l);
    await delay(1000);
    const before = await settledMemory(session, service.child.pid);
    ctx.log(`13 streams: opening ${n} streams (${OPEN_CONCURRENCY} at a time); before: RSS ${before.rssKiB} KiB, heap ${before.heapUsedKiB} KiB`);
    const openStarted = performance.now();
    await mapLimited(n, OPEN_CONCURRENCY, (j) => openStream(j, listeners));
    const openSec = (performance.now() - openStarted) / 1000;
    await delay(2000);
    const open = await settledMemory(session, service.child.pid);
    const perStreamKiB = round((open.rssKiB - before.rssKiB) / n, 2);
    const heapPerStreamKiB = round((open.heapUsedKiB - before.heapUsedKiB) / n, 2);
    ctx.log(`  ${n} open in ${round(openSec, 1)} s; RSS ${open.rssKiB} KiB (+${perStreamKiB} KiB/stream), heap ${open.heapUsedKiB} KiB (+${heapPerStreamKiB} KiB/stream)`);

    // One event per meeting per round, published as the service publishes (its channel, its message shape).
    const reachAll: number[] = [];
    const perListener: number[] = [];
    let missing = 0;
    for (let round_ = 0; round_ < config.streamRounds; round_ += 1) {
      const published = new Map<string, { at: number; meeting: number }>();
      const pipeline = redis.pipeline();
      for (let m = 0; m < meetings; m += 1) {
        const meetingId = seededMeetingId(MEETING_BASE + m);
        const id = `bench-${round_}-${m}`;
        const message = JSON.stringify({ id, type: 'participant.joined', data: { meetingId, participant: { userId: seededUser(USER_BASE).id, role: 'participant', joinedAt: new Date().toISOString() }, participantCount: perMeeting } });
        // The meetings-service keys (and channels) live under `<REDIS_KEY_PREFIX>meetings:`.
        pipeline.publish(`${REDIS_PREFIX}meetings:meeting:${meetingId}:events`, message);
        published.set(id, { at: performance.now(), meeting: m });
      }
      await pipeline.exec();
      const expected = (m: number) => listeners.filter((l) => l.meeting === m).length;
      const deadline = performance.now() + 10_000;
      while (performance.now() < deadline && [...published].some(([id, p]) => (arrivals.get(id)?.length ?? 0) < expected(p.meeting))) await delay(20);
      for (const [id, p] of published) {
        const got = arrivals.get(id) ?? [];
        missing += expected(p.meeting) - got.length;
        for (const t of got) perListener.push(t - p.at);
        if (got.length > 0) reachAll.push(Math.max(...got) - p.at);
      }
      await delay(1000);
    }
    const reach = { p50: round(percentile(reachAll, 50), 1), p99: round(percentile(reachAll, 99), 1), max: round(percentile(reachAll, 100), 1) };
    const each = { p50: round(percentile(perListener, 50), 1), p99: round(percentile(perListener, 99), 1) };
    ctx.log(`  event → all its listeners: p50 ${reach.p50} ms, p99 ${reach.p99} ms (per listener p50 ${each.p50}, p99 ${each.p99}); missing ${missing}; streams closed early ${closedEarly}`);

    // The floor: the same requests held open by a bare node:http server (servers/bare-sse.ts),
    // measured the same way, with the service's streams closed first.
    for (const l of listeners.splice(0)) drop(l);
    const floor = await bareFloor();
    ctx.log(`  bare node:http floor: RSS ${floor.before.rssKiB} → ${floor.open.rssKiB} KiB (+${floor.perStreamKiB} KiB/stream), heap +${floor.heapPerStreamKiB} KiB/stream`);
    const loadAfter = loadavg().map((l) => round(l, 2));
    return {
      scenario: 13,
      title: 'Live streams: fan-out and memory per open stream',
      figures: [
        figure({ id: 'streams_open', scenario: 13, title: `open event streams on one replica (${meetings} meetings)`, value: n, unit: 'streams' }),
        figure({ id: 'streams_reach_all_p50_ms', scenario: 13, title: 'one event reaches all its listeners, p50', value: reach.p50, unit: 'ms' }),
        figure({ id: 'streams_reach_all_p99_ms', scenario: 13, title: 'one event reaches all its listeners, p99', value: reach.p99, unit: 'ms', target: { op: '<', value: 200 } }),
        figure({ id: 'streams_missing_deliveries', scenario: 13, title: 'deliveries missing after 10 s', value: missing, unit: '', target: { op: '<=', value: 0 } }),
        figure({ id: 'streams_closed_early', scenario: 13, title: 'streams closed by the service (or lost) before the end of the run', value: closedEarly, unit: 'streams', target: { op: '<=', value: 0 } }),
        figure({ id: 'streams_rss_per_stream_kib', scenario: 13, title: 'meetings-service RSS per open stream (after GC)', value: perStreamKiB, unit: 'KiB', target: { op: '<=', value: 16 } }),
        figure({ id: 'streams_heap_per_stream_kib', scenario: 13, title: 'V8 heap per open stream (after GC)', value: heapPerStreamKiB, unit: 'KiB' }),
        figure({ id: 'streams_floor_rss_per_stream_kib', scenario: 13, title: 'floor: bare node:http server, RSS per open response (after GC)', value: floor.perStreamKiB, unit: 'KiB' }),
        figure({ id: 'streams_floor_heap_per_stream_kib', scenario: 13, title: 'floor: bare node:http server, V8 heap per open response (after GC)', value: floor.heapPerStreamKiB, unit: 'KiB' }),
      ],
      notes: [
        `${n} users, ${meetings} meetings (${perMeeting} members each) and their participations seeded with COPY; one access token per user, signed with the auth-service's key and claims (one stream per user, far below SSE_MAX_STREAMS_PER_USER). Streams opened ${OPEN_CONCURRENCY} at a time, each counted open at its \`: connected\` line: ${n} in ${round(openSec, 1)} s. One HTTP/1.1 connection per stream, from the bench process: a raw TCP socket with the request written by hand.`,
        `Memory: the meetings-service restarted with the inspector, two full GCs (HeapProfiler.collectGarbage) before reading VmRSS and heapUsed, with no stream and with all open: RSS ${before.rssKiB} → ${open.rssKiB} KiB, heap ${before.heapUsedKiB} → ${open.heapUsedKiB} KiB, external ${before.externalKiB} → ${open.externalKiB} KiB.`,
        `Fan-out: ${config.streamRounds} rounds, 1 s apart, of one event per meeting (${meetings} PUBLISHes in one pipeline, on the service's channel and in its message shape, as a join publishes it), timed from just before the pipeline to each listener's arrival: performance.now() at the start of the socket's 'data' callback, in the bench process, for the read holding that listener's whole \`id: bench-…\` line; "reaches all" is the last listener of the event. Per listener: p50 ${each.p50} ms, p99 ${each.p99} ms; max reach-all ${reach.max} ms. All ${n} sockets are read in the bench's one event loop (a raw socket each, matching only the status line and \`id:\` lines, no HTTP or SSE parser), so its own queueing still counts in, less than with one node:http response parser per stream.`,
        `Floor: servers/bare-sse.ts, a bare node:http server that answers each request with an event-stream head and \`: connected\` and keeps it open (no framework, token check, registry or heartbeat), started with the meetings-service's V8 flags and allocator settings and the inspector; the same ${n} requests from the same raw sockets after the service's streams were closed, memory read the same way: RSS ${floor.before.rssKiB} → ${floor.open.rssKiB} KiB, heap ${floor.before.heapUsedKiB} → ${floor.open.heapUsedKiB} KiB. What the service adds per stream: ${round(perStreamKiB - floor.perStreamKiB, 2)} KiB of RSS, ${round(heapPerStreamKiB - floor.heapPerStreamKiB, 2)} KiB of heap.`,
        `Load average (1, 5, 15 min) before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}.`,
      ],
      details: { n, meetings, closedEarly, openSec, before, open, perStreamKiB, heapPerStreamKiB, reach, each, missing, loadBefore, loadAfter, floor },
    };
  } finally {
    for (const l of listeners) drop(l);
    redis.disconnect();
    session.close();
    await stack.restart('meetings-service', []);
  }
}
