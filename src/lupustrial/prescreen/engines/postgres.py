"""PostgreSQL, where many OMOP CDMs live: a database given by URL, the CDM in a schema."""

from __future__ import annotations

from typing import Any

import ibis

from lupustrial.prescreen.engines import Engine
from lupustrial.prescreen.omop import OmopDatabase, OmopInputError, backend_tables


class Postgres(Engine):
    name = "postgres"

    def open(self, location: str, **options: Any) -> OmopDatabase:
        """A PostgreSQL database given by URL; the CDM tables in option ``schema`` (default:
        public)."""
        schema: str | None = options.get("schema")
        if not location.startswith(("postgres://", "postgresql://")):
            raise OmopInputError(
                f"{location}: not a PostgreSQL URL (postgresql://user@host/database)"
            )
        try:
            backend = ibis.connect(location)
        except Exception as error:
            raise OmopInputError(f"{location}: cannot connect ({error})") from error
        names = backend.list_tables(database=schema)
        tables, warnings = backend_tables(backend, location, names, schema)
        kept = {"schema": schema} if schema else {}
        return OmopDatabase(backend, self, tables, location, kept, warnings)


ENGINE = Postgres()
