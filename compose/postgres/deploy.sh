#!/bin/bash
# Runs once, when the postgres container initialises its data directory (/docker-entrypoint-initdb.d/): deploys
# the example migrations into `production` and `staging` the way golang-migrate leaves a database (its
# `schema_migrations` table records the last version), then hot-fixes `production` by hand, which is the drift
# the demo shows. A read-only role `schema_drift` is what the exporter connects as.
set -euo pipefail

psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --quiet)
latest=$(basename "$(ls /migrations/*.up.sql | sort | tail -n 1)")
version=$((10#${latest%%_*}))

"${psql[@]}" --dbname postgres --set pw="$SCHEMA_DRIFT_DB_PASSWORD" <<'SQL'
CREATE ROLE schema_drift LOGIN PASSWORD :'pw';
CREATE DATABASE production;
CREATE DATABASE staging;
SQL

for db in production staging; do
  for file in $(ls /migrations/*.up.sql | sort); do
    "${psql[@]}" --dbname "$db" --single-transaction --file "$file"
  done
  "${psql[@]}" --dbname "$db" --set version="$version" <<'SQL'
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations (version, dirty) VALUES (:version, false);
GRANT USAGE ON SCHEMA public TO schema_drift;
GRANT SELECT ON schema_migrations TO schema_drift;
SQL
  echo "deploy.sh: $db deployed up to version $version"
done

"${psql[@]}" --dbname production --file /drift/production.sql
echo "deploy.sh: production drifted by hand (/drift/production.sql)"
