/**
 * What a MySQL/MariaDB schema file (mysqldump output) sends: `mysqldump --databases`' switch to its own database is
 * skipped, and a switch to, or a statement about, another database is an error naming the file and line.
 */
import { describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/core/errors.ts';
import { mysqlScriptStatements } from '../../src/dialects/mysql/replay-script.ts';
import { schemaFile } from '../../src/migrations/format-schema.ts';
import type { MigrationDirectory } from '../../src/migrations/types.ts';

const DIR = '/srv/app/schema';

function statements(text: string): string[] {
  const file = schemaFile({ name: 'dump.sql', text, bytes: Buffer.from(text) });
  const dir: MigrationDirectory = { dir: DIR, format: 'schema', files: [file], hash: '' };
  return mysqlScriptStatements(dir, file, 'shop').map((s) => s.sql);
}

/** The head of a MariaDB 10.11 `mysqldump --databases --add-drop-database` output. */
const DATABASES_DUMP = [
  '/*M!999999\\- enable the sandbox mode */ ',
  '-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)',
  '',
  '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;',
  '/*!40101 SET NAMES utf8mb4 */;',
  '',
  '--',
  '-- Current Database: `shop`',
  '--',
  '',
  '/*!40000 DROP DATABASE IF EXISTS `shop`*/;',
  '',
  'CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;',
  '',
  'USE `shop`;',
  'DROP TABLE IF EXISTS `a`;',
  'CREATE TABLE `a` (`id` int NOT NULL);',
  'DELIMITER ;;',
  '/*!50003 CREATE*/ /*!50003 TRIGGER a_bi BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.id = NEW.id; END */;;',
  'DELIMITER ;',
  'USE `shop`;',
].join('\n');

describe('mysqldump schema files', () => {
  it('--databases: the database the dump creates, drops and USEs is the one replayed into; its statements are skipped', () => {
    const sent = statements(DATABASES_DUMP);
    expect(sent.some((s) => /DATABASE|^USE/.test(s))).toBe(false);
    expect(sent.slice(-3)).toEqual([
      'DROP TABLE IF EXISTS `a`',
      'CREATE TABLE `a` (`id` int NOT NULL)',
      '/*!50003 CREATE*/ /*!50003 TRIGGER a_bi BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.id = NEW.id; END */',
    ]);
  });

  it('a plain dump (no --databases) is sent as it is', () => {
    const dump = '/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE `a` (`id` int);\nALTER DATABASE CHARACTER SET utf8mb4;\n';
    expect(statements(dump)).toEqual(['/*!40101 SET NAMES utf8mb4 */', 'CREATE TABLE `a` (`id` int)', 'ALTER DATABASE CHARACTER SET utf8mb4']);
  });

  it.each([
    ['a second database (--all-databases)', `${DATABASES_DUMP}\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ \`billing\`;\nUSE \`billing\`;\n`, 22,
      /^CREATE DATABASE billing: a schema file describes the database it is replayed into; it cannot create, drop or change another one$/],
    ['USE of another database', `${DATABASES_DUMP}\nUSE billing;\n`, 22, /^USE billing: the file switches to another database \(it describes shop\)/],
    ['USE after statements ran', 'CREATE TABLE a (id int);\nUSE shop;\n', 2,
      /^USE shop: the file switches database after statements ran in another one \(line 1\)/],
    ['DROP DATABASE of another database', 'DROP DATABASE IF EXISTS `test`;\n', 1, /^DROP DATABASE test: a schema file describes/],
  ])('%s is an error naming file and line', (_name, text, line, message) => {
    let error: unknown;
    try {
      statements(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).message).toMatch(message);
    expect((error as ReplayError).context).toMatchObject({ file: `${DIR}/dump.sql`, line, target: 'shop' });
  });
});
