// The real PostgreSQL server the postgres-role tests start (the demo uses the same starter).
export * from '../../src/sandbox/demo/postgres.ts';
