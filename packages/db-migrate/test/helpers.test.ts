import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../src/connection.js';
import { parseDefault } from '../src/drift/introspect.js';
import { defaultConstraintName } from '../src/drift/shape.js';
import { checksumOf, scriptMatchesChecksum } from '../src/migrations-dir.js';

describe('checksums', () => {
  it("matches Prisma's own test vector for render_checksum", () => {
    expect(checksumOf('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(checksumOf(Buffer.from('hello'))).toBe(checksumOf('hello'));
  });

  it('accepts line-ending conversions and legacy unpadded checksums, nothing else', () => {
    const script = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n';
    expect(scriptMatchesChecksum(script, checksumOf(script))).toBe(true);
    expect(scriptMatchesChecksum(script.replace(/\n/g, '\r\n'), checksumOf(script))).toBe(true);
    expect(scriptMatchesChecksum(script, checksumOf(script.replace(/\n/g, '\r\n')))).toBe(true);
    expect(scriptMatchesChecksum(`${script}\n`, checksumOf(script))).toBe(false);
    // sha256('abcd') has zero nibbles that old engines dropped: 88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589
    const unpadded = Array.from(Buffer.from(checksumOf('abcd'), 'hex'), (b) => b.toString(16)).join('');
    expect(unpadded.length).toBeLessThan(64);
    expect(scriptMatchesChecksum('abcd', unpadded)).toBe(true);
    expect(scriptMatchesChecksum('abcde', unpadded)).toBe(false);
  });
});

describe('defaultConstraintName', () => {
  it("follows Prisma's naming and 63-byte truncation", () => {
    expect(defaultConstraintName('users', [], 'pkey')).toBe('users_pkey');
    expect(defaultConstraintName('meetings', ['tenant_id', 'slug'], 'key')).toBe('meetings_tenant_id_slug_key');
    expect(defaultConstraintName('meetings', ['owner_id'], 'fkey')).toBe('meetings_owner_id_fkey');
    const long = defaultConstraintName('a_really_long_table_name_for_testing', ['first_long_column', 'second_long_column'], 'idx');
    expect(long).toBe('a_really_long_table_name_for_testing_first_long_column_seco_idx');
    expect(long.length).toBe(63);
    expect(defaultConstraintName('t'.repeat(70), [], 'pkey')).toBe(`${'t'.repeat(58)}_pkey`);
    // Never cuts a multi-byte character in half.
    expect(defaultConstraintName('é'.repeat(40), [], 'pkey')).toBe(`${'é'.repeat(29)}_pkey`);
  });
});

describe('parseDefault', () => {
  it('reads back the forms Postgres prints', () => {
    expect(parseDefault(null, '')).toEqual({ kind: 'none' });
    expect(parseDefault(null, 'd')).toEqual({ kind: 'sequence' });
    expect(parseDefault(`nextval('"Sample_id_seq"'::regclass)`, '')).toEqual({ kind: 'sequence' });
    expect(parseDefault('CURRENT_TIMESTAMP', '')).toEqual({ kind: 'now' });
    expect(parseDefault('now()', '')).toEqual({ kind: 'now' });
    expect(parseDefault(`'it''s'::character varying`, '')).toEqual({ kind: 'literal', value: "it's" });
    expect(parseDefault(`'GUEST'::"meeting_role"`, '')).toEqual({ kind: 'literal', value: 'GUEST' });
    expect(parseDefault(`'-5'::integer`, '')).toEqual({ kind: 'literal', value: '-5' });
    expect(parseDefault('1.50', '')).toEqual({ kind: 'literal', value: '1.50' });
    expect(parseDefault('true', '')).toEqual({ kind: 'literal', value: 'true' });
    expect(parseDefault('gen_random_uuid()', '')).toEqual({ kind: 'expression', sql: 'gen_random_uuid()' });
  });
});

describe('parseDatabaseUrl', () => {
  it("keeps Prisma's schema parameter out of the driver URL", () => {
    expect(parseDatabaseUrl('postgresql://u:p@h:5432/my%20db?schema=auth&connection_limit=3&sslmode=disable')).toEqual({
      connectionString: 'postgresql://u:p@h:5432/my%20db?sslmode=disable',
      database: 'my db',
      schema: 'auth',
    });
    expect(parseDatabaseUrl('postgres://h/db').schema).toBe('public');
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow('postgres://');
  });
});
