import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import type { Schema, Table } from '../../src/core/model/schema.ts';
import { type MysqlQueryable, openMysqlSession } from '../../src/dialects/mysql/connect.ts';
import { inspectMysql } from '../../src/dialects/mysql/inspect.ts';
import { enumValues, parseCreateOptions } from '../../src/dialects/mysql/inspect-tables.ts';
import { createTempMysqlDatabase, type TempDatabase } from '../support/servers.ts';

const FIXTURE = new URL('../fixtures/mysql/full-schema.sql', import.meta.url);

/** Inspects `url` in a read-only session, counting the queries. */
async function inspectCounting(url: string, options: Parameters<typeof inspectMysql>[1] = {}) {
  const session = await openMysqlSession(url);
  let queries = 0;
  const db: MysqlQueryable = {
    query(sql, params) {
      queries += 1;
      return session.db.query(sql, params);
    },
  };
  try {
    const snapshot = await inspectMysql(db, options);
    return { snapshot, queries };
  } finally {
    await session.close();
  }
}

function table(schema: Schema, name: string): Table {
  const found = schema.tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
}

describe('inspectMysql on the full fixture (MariaDB)', () => {
  let temp: TempDatabase;
  let schema: Schema;
  let json: string;

  beforeAll(async () => {
    temp = await createTempMysqlDatabase();
    await temp.exec(await readFile(FIXTURE, 'utf8'));
    await temp.exec("CREATE SEQUENCE seq_numbers START WITH 5 INCREMENT BY 2 MAXVALUE 1000 CYCLE COMMENT = 'ticket numbers'");
    const { snapshot } = await inspectCounting(temp.url, { events: true });
    json = JSON.stringify(snapshot);
    const first = snapshot.schemas[0];
    if (!first) throw new Error('no schema');
    schema = first;
  });
  afterAll(async () => {
    await temp?.drop();
  });

  it('names the one schema after the database, with its defaults and the server', () => {
    const snapshot = JSON.parse(json);
    expect(snapshot.dialect).toBe('mysql');
    expect(snapshot.source.flavor).toBe('mariadb');
    expect(snapshot.source.serverMajor).toBeGreaterThanOrEqual(10);
    expect(snapshot.schemas).toHaveLength(1);
    expect(schema.name).toBe(temp.name);
    expect(schema.attrs).toEqual({ charset: 'utf8mb4', collation: 'utf8mb4_general_ci' });
    expect(schema.tables.map((t) => t.name)).toEqual([
      'cache_entries',
      'customers',
      'events_log',
      'order_lines',
      'orders',
      'places',
    ]);
  });

  it('reads table attributes: engine, charset, collation, explicit row format, comment, partitioning', () => {
    expect(table(schema, 'customers').attrs).toEqual({
      engine: 'InnoDB',
      charset: 'utf8mb4',
      collation: 'utf8mb4_unicode_ci',
      rowFormat: 'DYNAMIC',
    });
    expect(table(schema, 'customers').comment).toBe('people who buy');
    expect(table(schema, 'cache_entries').attrs).toEqual({ engine: 'MyISAM', charset: 'latin1', collation: 'latin1_swedish_ci' });
    expect(table(schema, 'orders').attrs).not.toHaveProperty('rowFormat');
    expect(table(schema, 'events_log').attrs.partitioning).toEqual({
      method: 'RANGE',
      expression: 'year(`happened`)',
      partitions: [
        { name: 'p2023', description: '2024' },
        { name: 'p2024', description: '2025' },
        { name: 'pmax', description: 'MAXVALUE' },
      ],
    });
  });

  it.each([
    ['id', { raw: 'int(10) unsigned', nullable: false, identity: { generation: 'auto_increment' }, default: null }],
    ['email', { comment: 'login name', collation: null, attrs: {} }],
    ['name', { collation: 'latin1_bin', attrs: { charset: 'latin1' }, default: 'NULL' }],
    ['status', { raw: "enum('active','blocked','it''s')", default: "'active'", attrs: { values: ['active', 'blocked', "it's"] } }],
    ['flags', { attrs: { values: ['a', 'b', 'c'] } }],
    ['score', { raw: 'int(8) unsigned zerofill' }],
    ['created_at', { default: 'current_timestamp()', attrs: {} }],
    ['updated_at', { attrs: { onUpdate: 'current_timestamp()' } }],
    ['email_domain', { generated: { expression: "substring_index(`email`,'@',-1)", kind: 'virtual' }, default: null }],
    ['email_lower', { generated: { expression: 'lcase(`email`)', kind: 'stored' } }],
    ['secret_note', { attrs: { invisible: true }, default: "'x'" }],
  ])('column customers.%s', (name, expected) => {
    const column = table(schema, 'customers').columns.find((c) => c.name === name);
    expect(column).toBeDefined();
    const { raw, ...rest } = expected as { raw?: string } & Record<string, unknown>;
    if (raw !== undefined) expect(column?.type.raw).toBe(raw);
    expect(column).toMatchObject(rest);
  });

  it('keeps column order and MariaDB JSON as LONGTEXT with its json_valid column check', () => {
    expect(table(schema, 'customers').columns.map((c) => c.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const orders = table(schema, 'orders');
    expect(orders.columns.find((c) => c.name === 'doc')).toMatchObject({ type: { raw: 'longtext' }, collation: 'utf8mb4_bin' });
    expect(orders.constraints.find((c) => c.name === 'doc')).toEqual({
      name: 'doc',
      kind: 'check',
      columns: [],
      expression: 'json_valid(`doc`)',
      definition: 'CHECK (json_valid(`doc`))',
      deferrable: false,
      initiallyDeferred: false,
      comment: null,
      attrs: { level: 'column' },
    });
  });

  it('reads the primary key as a constraint and unique/secondary indexes with their parts', () => {
    const customers = table(schema, 'customers');
    expect(customers.constraints.map((c) => [c.name, c.kind])).toEqual([
      ['PRIMARY', 'primary_key'],
      ['chk_balance', 'check'],
    ]);
    expect(table(schema, 'order_lines').constraints[0]).toMatchObject({
      kind: 'primary_key',
      columns: ['order_id', 'line_no'],
      definition: 'PRIMARY KEY (`order_id`, `line_no`)',
    });
    const byName = Object.fromEntries(customers.indexes.map((i) => [i.name, i]));
    expect(byName.PRIMARY).toMatchObject({ unique: true, constraint: 'PRIMARY' });
    expect(byName.uq_customers_email).toMatchObject({ unique: true, method: 'btree', parts: [{ column: 'email' }] });
    expect(byName.uq_customers_email).not.toHaveProperty('constraint');
    expect(byName.ix_customers_name_prefix?.parts).toEqual([
      { column: 'name', prefixLength: 10 },
      { column: 'created_at', descending: true },
    ]);
    expect(byName.ft_customers_bio).toMatchObject({ method: 'fulltext', unique: false });
    expect(table(schema, 'places').indexes.find((i) => i.name === 'sp_places_pos')).toMatchObject({
      method: 'spatial',
      parts: [{ column: 'pos' }],
    });
    expect(table(schema, 'orders').indexes.find((i) => i.name === 'ix_orders_placed')?.attrs).toEqual({ ignored: true });
  });

  it('reads foreign keys with actions and columns in order', () => {
    expect(table(schema, 'orders').foreignKeys).toEqual([
      {
        name: 'fk_orders_customer',
        columns: ['customer_id'],
        refSchema: temp.name,
        refTable: 'customers',
        refColumns: ['id'],
        onUpdate: 'restrict',
        onDelete: 'cascade',
        match: 'simple',
        deferrable: false,
        initiallyDeferred: false,
        definition: 'FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT',
        comment: null,
        attrs: {},
      },
    ]);
  });

  it('reads table and column check constraints', () => {
    expect(table(schema, 'customers').constraints.find((c) => c.name === 'chk_balance')).toMatchObject({
      expression: '`balance` >= 0',
      attrs: {},
    });
    expect(table(schema, 'order_lines').constraints.find((c) => c.kind === 'check')).toMatchObject({
      name: 'quantity',
      expression: '`quantity` > 0',
      attrs: { level: 'column' },
    });
  });

  it('reads views without their own database qualifier, with columns, dependencies and options', () => {
    expect(schema.views.map((v) => v.name)).toEqual(['active_customers', 'order_totals']);
    const active = schema.views[0];
    expect(active?.definition).toBe(
      "select `c`.`id` AS `id`,`c`.`email` AS `email` from `customers` `c` where `c`.`status` = 'active'",
    );
    expect(active?.columns).toEqual([
      { name: 'id', type: 'int(10) unsigned' },
      { name: 'email', type: 'varchar(255)' },
    ]);
    expect(active?.dependsOn).toEqual([`${temp.name}.customers`]);
    expect(active?.attrs).toEqual({ checkOption: 'CASCADED', securityType: 'DEFINER', algorithm: 'UNDEFINED' });
    expect(schema.views[1]?.attrs).toMatchObject({ securityType: 'INVOKER' });
    expect(json).not.toContain(`\`${temp.name}\`.`);
  });

  it('reads triggers with timing, event, statement and order', () => {
    const triggers = table(schema, 'orders').triggers;
    expect(triggers.map((t) => [t.name, t.attrs?.timing, t.attrs?.event, t.attrs?.order])).toEqual([
      ['trg_orders_bi', 'BEFORE', 'INSERT', 1],
      ['trg_orders_bi2', 'BEFORE', 'INSERT', 2],
    ]);
    expect(triggers[0]?.definition).toBe(
      "CREATE TRIGGER `trg_orders_bi` BEFORE INSERT ON `orders` FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'n/a')",
    );
    expect(table(schema, 'customers').triggers[0]?.attrs?.statement).toMatch(/^BEGIN\n {2}IF NEW.status <> OLD.status THEN/);
  });

  it('reads functions and procedures with parameters, returns, body and characteristics', () => {
    expect(schema.routines.map((r) => [r.name, r.kind])).toEqual([
      ['block_customer', 'procedure'],
      ['order_count', 'function'],
    ]);
    const [proc, fn] = schema.routines;
    expect(proc).toMatchObject({
      args: 'IN `cust` int(10) unsigned, OUT `changed` int(11)',
      returns: null,
      volatility: 'not deterministic',
      securityDefiner: false,
      comment: null,
      attrs: { dataAccess: 'MODIFIES SQL DATA' },
    });
    expect(fn).toMatchObject({
      identityArgs: '',
      args: '`cust` int(10) unsigned',
      returns: 'int(11)',
      body: 'RETURN (SELECT COUNT(*) FROM orders WHERE customer_id = cust)',
      volatility: 'deterministic',
      securityDefiner: true,
      comment: 'orders of a customer',
      attrs: { dataAccess: 'READS SQL DATA' },
    });
    expect(fn?.definition).toBe(
      'CREATE FUNCTION `order_count`(`cust` int(10) unsigned) RETURNS int(11)\n  DETERMINISTIC\n  READS SQL DATA\n' +
        "  SQL SECURITY DEFINER\n  COMMENT 'orders of a customer'\nRETURN (SELECT COUNT(*) FROM orders WHERE customer_id = cust)",
    );
  });

  it('reads MariaDB sequences and, when asked, events', () => {
    expect(schema.sequences).toEqual([
      {
        schema: temp.name,
        name: 'seq_numbers',
        type: 'bigint',
        start: '5',
        increment: '2',
        min: '1',
        max: '1000',
        cache: '1000',
        cycle: true,
        ownedBy: null,
        comment: 'ticket numbers',
      },
    ]);
    expect(schema.events).toHaveLength(1);
    expect(schema.events?.[0]).toMatchObject({
      name: 'ev_purge_cache',
      comment: 'nightly purge',
      definition:
        "CREATE EVENT `ev_purge_cache` ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' ON COMPLETION NOT PRESERVE" +
        " DISABLE COMMENT 'nightly purge' DO DELETE FROM cache_entries",
      attrs: { interval: '1 DAY', status: 'DISABLED', body: 'DELETE FROM cache_entries' },
    });
  });

  it('leaves events out unless asked, and definers unless privileges are read', async () => {
    const { snapshot } = await inspectCounting(temp.url);
    expect(snapshot.schemas[0]).not.toHaveProperty('events');
    expect(JSON.stringify(snapshot)).not.toContain('definer');
    const withDefiners = await inspectCounting(temp.url, { privileges: true });
    expect(withDefiners.snapshot.schemas[0]?.views[0]?.owner).toMatch(/@/);
    expect(withDefiners.snapshot.schemas[0]?.tables.find((t) => t.name === 'orders')?.triggers[0]?.attrs?.definer).toMatch(/@/);
  });

  it('gives identical JSON for two inspections', async () => {
    const again = await inspectCounting(temp.url, { events: true });
    expect(JSON.stringify(again.snapshot)).toBe(json);
  });

  it('reports the database under schemaName, references included', async () => {
    const { snapshot } = await inspectCounting(temp.url, { schemaName: 'prod' });
    const text = JSON.stringify(snapshot);
    expect(snapshot.schemas[0]?.name).toBe('prod');
    expect(table(snapshot.schemas[0] as Schema, 'orders').foreignKeys[0]?.refSchema).toBe('prod');
    expect(snapshot.schemas[0]?.views[0]?.dependsOn).toEqual(['prod.customers']);
    expect(text).not.toContain(temp.name);
  });

  it.each(['mysql', 'information_schema', 'performance_schema', 'sys'])('refuses the system database %s', async (database) => {
    await expect(inspectCounting(temp.url, { database })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('inspectMysql query count', () => {
  let temp: TempDatabase;
  beforeAll(async () => {
    temp = await createTempMysqlDatabase();
  });
  afterAll(async () => {
    await temp?.drop();
  });

  /** `n` tables, each with an index, a foreign key to the previous one, a check and a trigger. */
  function tablesSql(from: number, to: number): string {
    const out: string[] = [];
    for (let i = from; i < to; i++) {
      const fk = i > 0 ? `, CONSTRAINT fk_${i} FOREIGN KEY (parent) REFERENCES t_${i - 1} (id)` : '';
      out.push(
        `CREATE TABLE t_${i} (id int PRIMARY KEY, parent int, v varchar(10) CHECK (v <> ''), KEY ix_${i} (v)${fk});`,
        `CREATE TRIGGER trg_${i} BEFORE INSERT ON t_${i} FOR EACH ROW SET NEW.v = TRIM(NEW.v);`,
      );
    }
    return out.join('\n');
  }

  it('runs the same number of queries for 2 and 200 tables', async () => {
    await temp.exec(tablesSql(0, 2));
    const small = await inspectCounting(temp.url);
    expect(small.snapshot.schemas[0]?.tables).toHaveLength(2);
    await temp.exec(tablesSql(2, 200));
    const large = await inspectCounting(temp.url);
    const tables = large.snapshot.schemas[0]?.tables ?? [];
    expect(tables).toHaveLength(200);
    expect(tables.find((t) => t.name === 't_199')?.foreignKeys[0]?.refTable).toBe('t_198');
    expect(large.queries).toBe(small.queries);
    expect(small.queries).toBeLessThanOrEqual(15);
  });
});

describe('parseCreateOptions', () => {
  it.each([
    ['', {}],
    ['partitioned', {}],
    ['row_format=DYNAMIC', { row_format: 'DYNAMIC' }],
    ['stats_persistent=1 row_format=COMPRESSED key_block_size=8', { key_block_size: '8', row_format: 'COMPRESSED', stats_persistent: '1' }],
    ["`encrypted`=yes ENCRYPTION='Y'", { encrypted: 'yes', encryption: 'Y' }],
  ])('%j', (text, expected) => {
    expect(parseCreateOptions(text)).toEqual(expected);
  });
});

describe('enumValues', () => {
  it.each([
    ['enum', "enum('a','b')", ['a', 'b']],
    ['set', "set('x y','it''s','back\\\\slash')", ['x y', "it's", 'back\\slash']],
    ['ENUM', "enum('')", ['']],
    ['varchar', 'varchar(10)', undefined],
  ])('%s %s', (dataType, columnType, expected) => {
    expect(enumValues(dataType, columnType)).toEqual(expected);
  });
});
