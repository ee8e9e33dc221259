/**
 * Whole-schema DDL of a MySQL snapshot: exact text for a small schema, independent of the snapshot's array order.
 * That the DDL recreates a real database is checked on MariaDB in `no-false-drift.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import type { SchemaSnapshot, Table } from '../../src/core/model/schema.ts';
import { renderMysqlDdl } from '../../src/dialects/mysql/ddl.ts';
import { column, constraint, foreignKey, index, routine, table, trigger, view } from '../diff/snapshot-factory.ts';

const attrs = { engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_general_ci' };

function schema(reverse: boolean): SchemaSnapshot {
  const users: Table = table('users', {
    columns: [
      column('id', 'int(11)', { nullable: false, identity: { generation: 'auto_increment' } }),
      column('email', 'varchar(200)', { position: 2, nullable: false, collation: 'utf8mb4_bin', comment: "user's mail" }),
      column('created', 'timestamp', { position: 3, nullable: false, default: 'current_timestamp()', attrs: { onUpdate: 'current_timestamp()' } }),
      column('kind', "enum('a','b')", { position: 4, default: "'a'" }),
    ],
    constraints: [constraint('PRIMARY', { kind: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (`id`)' }), constraint('chk_kind', { kind: 'check', columns: [], expression: "`kind` <> 'b'", definition: "CHECK (`kind` <> 'b')" })],
    indexes: [index('PRIMARY', { parts: [{ column: 'id' }], unique: true, method: 'btree', constraint: 'PRIMARY' }), index('uq_email', { parts: [{ column: 'email', prefixLength: 100 }], unique: true, method: 'btree' })],
    attrs: { ...attrs, partitioning: { method: 'HASH', expression: '`id`', partitions: [{ name: 'p0', description: null }, { name: 'p1', description: null }] } },
    comment: 'people',
  }, 'app');
  const posts: Table = table('posts', {
    columns: [column('id', 'int(11)', { nullable: false }), column('user_id', 'int(11)', { position: 2 })],
    foreignKeys: [foreignKey('fk_user', { refSchema: 'app', onDelete: 'cascade', onUpdate: 'restrict' })],
    indexes: [index('fk_user', { parts: [{ column: 'user_id' }], method: 'btree' })],
    triggers: [trigger('posts_bi', { definition: 'CREATE TRIGGER `posts_bi` BEFORE INSERT ON `posts` FOR EACH ROW BEGIN SET NEW.id = 1; END', attrs: { timing: 'BEFORE', event: 'INSERT', order: 1 } })],
    attrs,
  }, 'app');
  const v = view('active', { definition: 'select `users`.`id` AS `id` from `users`', dependsOn: ['app.users'], attrs: {} }, 'app');
  const f = routine('one', '', { kind: 'function', definition: 'CREATE FUNCTION `one`() RETURNS int(11)\n  DETERMINISTIC\nRETURN 1', returns: 'int(11)' }, 'app');
  const tables = reverse ? [users, posts] : [posts, users];
  return {
    formatVersion: 1,
    dialect: 'mysql',
    source: { description: 'test' },
    schemas: [{ name: 'app', comment: null, tables, views: [v], sequences: [], types: [], routines: [f] }],
    extensions: [],
  };
}

const EXPECTED = `-- create table posts
CREATE TABLE \`posts\` (
  \`id\` int(11) NOT NULL,
  \`user_id\` int(11) NULL,
  KEY \`fk_user\` (\`user_id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

-- create table users
CREATE TABLE \`users\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`email\` varchar(200) COLLATE utf8mb4_bin NOT NULL COMMENT 'user''s mail',
  \`created\` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  \`kind\` enum('a','b') NULL DEFAULT 'a',
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`uq_email\` (\`email\`(100)),
  CONSTRAINT \`chk_kind\` CHECK (\`kind\` <> 'b')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='people'
PARTITION BY HASH (\`id\`)
PARTITIONS 2;

-- add foreign key fk_user on posts
ALTER TABLE \`posts\` ADD CONSTRAINT \`fk_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE CASCADE ON UPDATE RESTRICT;

-- create function one
CREATE FUNCTION \`one\`() RETURNS int(11)
  DETERMINISTIC
RETURN 1;

-- create view active
CREATE OR REPLACE VIEW \`active\` AS select \`users\`.\`id\` AS \`id\` from \`users\`;

-- create trigger posts_bi
DELIMITER $$
CREATE TRIGGER \`posts_bi\` BEFORE INSERT ON \`posts\` FOR EACH ROW BEGIN SET NEW.id = 1; END$$
DELIMITER ;
`;

describe('renderMysqlDdl', () => {
  it('renders tables, keys, checks, options, partitioning, foreign keys, routines, views and triggers in order', () => {
    expect(renderMysqlDdl(schema(false))).toBe(EXPECTED);
  });

  it('does not depend on the order of the snapshot arrays', () => {
    expect(renderMysqlDdl(schema(true))).toBe(renderMysqlDdl(schema(false)));
  });

  it('renders an empty schema as an empty script', () => {
    expect(renderMysqlDdl({ ...schema(false), schemas: [] })).toBe('');
  });
});
