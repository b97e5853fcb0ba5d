export interface Instruction {
  keyword: string;
  args: string;
  /** Here-document bodies attached to the instruction (BuildKit `<<NAME`), by name. */
  heredocs: Record<string, string>;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/**
 * A small Dockerfile reader: comments, `\` continuations and BuildKit here-documents. Enough to
 * check what the images are made of; building them needs a Docker engine, which CI lacks.
 */
export function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) {
        line = `${line.slice(0, -1)} \\`; // comment lines inside a continuation are dropped
        continue;
      }
      line = `${line.slice(0, -1)} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m?.[1]) throw new Error(`cannot read Dockerfile line ${i + 1}: ${line}`);
    const heredocs: Record<string, string> = {};
    for (const [, name] of (m[2] ?? '').matchAll(/<<-?'?"?([A-Z_]+)'?"?/g)) {
      if (!name) continue;
      const body: string[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== name) body.push(lines[++i] ?? '');
      i++;
      heredocs[name] = body.join('\n');
    }
    instructions.push({ keyword: m[1].toUpperCase(), args: (m[2] ?? '').trim(), heredocs });
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/);
      stages.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && ins.keyword === 'ARG') {
      const [key = '', value = ''] = ins.args.split('=');
      args.set(key, value);
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return { args, stages };
}

/** `${NAME}` in a FROM line, resolved from the global ARG defaults. */
export const resolveArgs = (value: string, args: Map<string, string>) =>
  value.replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => args.get(name) ?? '');
