-- Every service compares the schema with the newest migration it embeds
-- before it starts work, and refuses to run against an older one: the
-- roles of the services read schema_migration for that (the publisher and
-- the operator inherit the worker's grants).
GRANT SELECT ON schema_migration TO succession_worker;
