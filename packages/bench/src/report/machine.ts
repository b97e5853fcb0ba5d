import { readFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from '../config.js';

async function versionAt(dir: string, name: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: string;
  redis: string;
  loadAverageAtStart: number[];
  versions: Record<string, string>;
}

export async function machineInfo(config: BenchConfig, postgres: string, redis: string): Promise<MachineInfo> {
  const list = cpus();
  const bench = config.benchRoot;
  const meetings = join(config.repoRoot, 'services', 'meetings-service');
  const auth = join(config.repoRoot, 'services', 'auth-service');
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: config.cores,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    postgres,
    redis,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    versions: {
      'fastify (bare hello-world)': await versionAt(bench, 'fastify'),
      'fastify (meetings-service)': await versionAt(meetings, 'fastify'),
      'fastify (auth-service)': await versionAt(auth, 'fastify'),
      'argon2 (auth-service)': await versionAt(auth, 'argon2'),
      'argon2 (raw run, better-auth hasher)': await versionAt(bench, 'argon2'),
      autocannon: await versionAt(bench, 'autocannon'),
      'better-auth': await versionAt(bench, 'better-auth'),
    },
  };
}
