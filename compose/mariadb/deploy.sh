#!/bin/bash
# Runs once, when the mariadb container initialises its data directory (/docker-entrypoint-initdb.d/): deploys the
# MySQL example migrations into `production` and `staging` the way golang-migrate leaves a database, then drifts
# `production` by hand (drift-production.sql). Users: `schema_drift` reads the two databases; `schema_drift_replay`
# may create and drop the exporter's temporary replay databases (schema_drift_tmp_<hex>) on this same server, the
# `devUrl` of the MariaDB targets.
set -euo pipefail

mariadb=(mariadb --user=root --password="$MARIADB_ROOT_PASSWORD")
latest=$(basename "$(ls /migrations/*.up.sql | sort | tail -n 1)")
version=$((10#${latest%%_*}))
pw=${SCHEMA_DRIFT_DB_PASSWORD//\'/\'\'}

"${mariadb[@]}" <<SQL
CREATE DATABASE production;
CREATE DATABASE staging;
CREATE USER 'schema_drift'@'%' IDENTIFIED BY '$pw';
CREATE USER 'schema_drift_replay'@'%' IDENTIFIED BY '$pw';
GRANT SELECT, SHOW VIEW, TRIGGER ON production.* TO 'schema_drift'@'%';
GRANT SELECT, SHOW VIEW, TRIGGER ON staging.* TO 'schema_drift'@'%';
GRANT ALL PRIVILEGES ON \`schema\_drift\_tmp\_%\`.* TO 'schema_drift_replay'@'%';
SQL

for db in production staging; do
  for file in $(ls /migrations/*.up.sql | sort); do
    # One multi-statement query per file, as golang-migrate sends it: the server parses BEGIN ... END bodies whole
    # (the client would split them at their `;`), so the delimiter is one that never occurs.
    "${mariadb[@]}" --database="$db" --delimiter='@@@@' < "$file"
  done
  "${mariadb[@]}" --database="$db" <<SQL
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations (version, dirty) VALUES ($version, false);
SQL
  echo "deploy.sh: $db deployed up to version $version"
done

"${mariadb[@]}" --database=production < /drift/production.sql
echo "deploy.sh: production drifted by hand (/drift/production.sql)"
