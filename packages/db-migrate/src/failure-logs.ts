/**
 * Text stored in `_prisma_migrations.logs` for a failed script. It follows Prisma's P3018 message
 * (the engine stores that error's text), so `prisma migrate status` and people reading the row see
 * the same shape either way. Prisma also appends a Rust debug dump of the driver error, which has
 * no equivalent here; the SQLSTATE, detail and hint carry the same facts.
 */
export function failureLogs(migrationName: string, err: unknown, script: string): string {
  const info = describeDbError(err);
  const lines = [`ERROR: ${info.message}`];
  if (info.detail !== undefined) lines.push(`DETAIL: ${info.detail}`);
  if (info.hint !== undefined) lines.push(`HINT: ${info.hint}`);
  const position = info.position === undefined ? '' : renderPosition(script, info.position);
  return (
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from. ' +
    'Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n' +
    `Migration name: ${migrationName}\n\n` +
    `Database error code: ${info.code ?? 'none'}\n\n` +
    `Database error:\n${lines.join('\n')}${position}\n`
  );
}

export interface DbErrorInfo {
  message: string;
  code: string | undefined;
  detail: string | undefined;
  hint: string | undefined;
  /** 1-based character offset into the script, as Postgres reports it. */
  position: number | undefined;
}

export function describeDbError(err: unknown): DbErrorInfo {
  const message = err instanceof Error ? err.message : String(err);
  if (typeof err !== 'object' || err === null) {
    return { message, code: undefined, detail: undefined, hint: undefined, position: undefined };
  }
  const field = (key: string): string | undefined => {
    const value: unknown = Reflect.get(err, key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const position = field('position');
  return {
    message,
    code: field('code'),
    detail: field('detail'),
    hint: field('hint'),
    position: position === undefined ? undefined : Number(position),
  };
}

/** The failing line with up to five lines before it, numbered, like Prisma's "Position:" block. */
function renderPosition(script: string, position: number): string {
  const lines = script.split('\n');
  let consumed = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    consumed += line.length + 1;
    if (position <= consumed) {
      const first = Math.max(0, index - 5);
      const numbered = lines
        .slice(first, index + 1)
        .map((text, offset) => `${String(first + offset + 1).padStart(3)} ${text}`.trimEnd());
      return `\n\nPosition:\n${numbered.join('\n')}`;
    }
  }
  return '';
}
