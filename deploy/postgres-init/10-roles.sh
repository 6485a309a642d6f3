#!/bin/bash
# The two database roles of docs/operations.md#database-roles, run by the postgres image on the first
# initialization of its volume (docker-entrypoint-initdb.d), as the superuser. Idempotent.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$ARCHIPEL_OWNER_PASSWORD" -v service_password="$ARCHIPEL_SERVICE_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
SELECT 'CREATE ROLE archipel_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'archipel_owner') \gexec
SELECT 'CREATE ROLE archipel_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'archipel_service') \gexec
ALTER ROLE archipel_owner PASSWORD :'owner_password';
ALTER ROLE archipel_service PASSWORD :'service_password';
ALTER DATABASE :"db" OWNER TO archipel_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO archipel_service;
SQL
