-- Role-per-service bootstrap. Run as a superuser while connected to the target database.
-- Idempotent and safe to run concurrently: every service gets a LOGIN role `<svc>_svc`
-- that owns the schema `<svc>` and has no access to any other schema.
DO $bootstrap$
DECLARE
    svc text;
    role_name text;
BEGIN
    FOREACH svc IN ARRAY ARRAY['auth', 'attendance', 'reward', 'notification'] LOOP
        role_name := svc || '_svc';
        BEGIN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', role_name);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- roles are cluster-wide; another database or run made it already
        END;
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, role_name);
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', svc, role_name);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', svc);
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), role_name);
        EXECUTE format('ALTER ROLE %I IN DATABASE %I SET search_path = %I',
                       role_name, current_database(), svc);
    END LOOP;
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
END
$bootstrap$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
