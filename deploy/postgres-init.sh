#!/bin/bash
# One database and one login role per service (architecture §1: each service owns its database), for
# deploy/docker-compose.yml. The postgres image runs this from /docker-entrypoint-initdb.d on its
# first start only (an empty data volume), as the superuser, over the local socket.
#
# Each role owns its database and nothing else, and PUBLIC may not connect to any of them, so no
# service can open another's database. Passwords come from the container's environment
# (DB_PASSWORD_<SERVICE>, see deploy/.env.example).
#
# No `set -u`: the image sources (rather than runs) this file when it is not executable.
set -eo pipefail

create_service_database() { # <database and role name> <password>
	echo "postgres-init: database and role $1"
	psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
		--set=name="$1" --set=password="$2" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
}

create_service_database portal_gateway "${DB_PASSWORD_PORTAL_GATEWAY:?DB_PASSWORD_PORTAL_GATEWAY is not set}"
create_service_database con_intake "${DB_PASSWORD_CON_INTAKE:?DB_PASSWORD_CON_INTAKE is not set}"
create_service_database regional_gateway "${DB_PASSWORD_REGIONAL_GATEWAY:?DB_PASSWORD_REGIONAL_GATEWAY is not set}"
create_service_database provider "${DB_PASSWORD_PROVIDER:?DB_PASSWORD_PROVIDER is not set}"
create_service_database registry_stub "${DB_PASSWORD_REGISTRY_STUB:?DB_PASSWORD_REGISTRY_STUB is not set}"
