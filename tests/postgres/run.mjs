// `make test-postgres`: starts a throwaway PostgreSQL (server.mjs), runs the *.test.mjs files of
// this folder against it (PGHOST / PGPORT / PGUSER in their environment), then stops it and
// removes its directory, whatever the tests did (also on Ctrl-C).
import { runTestsWithPostgres } from './run-with-postgres.mjs';

await runTestsWithPostgres(import.meta.dirname);
