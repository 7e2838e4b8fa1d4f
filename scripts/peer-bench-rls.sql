-- The PostGraphile peer of the load benchmark (scripts/peer-bench), made to pay typgraph's
-- costs: row-level security for the TYP scope of an agency official, and one audit row
-- per request. Applied to the benchmark database (typgraph_load_N) by scripts/peer-bench,
-- any number of times.
--
-- It does not touch typgraph's own access: the policies bind only the role peer_official,
-- which PostGraphile takes from the request's token (SET LOCAL ROLE); typgraph connects as
-- the tables' owner, whom row-level security does not bind (no FORCE), and nothing here
-- is in typgraph's schema but the policies and grants. The rule's functions and the audit
-- table live in the schema peer_bench, which PostGraphile (--schema public) does not expose.
--
-- The rule is src/authz/scope.rs (`typ_client_cond`, `own_records`) and the loaders'
-- filters (src/services/loads/filter.rs), written here from their meaning, not from the
-- columns either reads them through: all of it is in the functions and policies below.
-- The caller's agency and official come from the token's claims (jwt.claims.*).

SET client_min_messages = warning;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'peer_official') THEN
    CREATE ROLE peer_official NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'peer_authenticator') THEN
    -- PostGraphile's connection: it can do nothing itself but become peer_official.
    CREATE ROLE peer_authenticator LOGIN NOINHERIT;
  END IF;
END
$$;
GRANT peer_official TO peer_authenticator;

CREATE SCHEMA IF NOT EXISTS peer_bench;
GRANT USAGE ON SCHEMA public, peer_bench TO peer_official;

-- The caller's agency (TE, EKSOTE, KELA), from the token.
CREATE OR REPLACE FUNCTION peer_bench.agency() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT current_setting('jwt.claims.agency', true) $$;

-- A case closed on or after this day still makes its client a TYP client: today less the
-- retention period (typgraph's setting typ_case_retention_years, 10 by default).
CREATE OR REPLACE FUNCTION peer_bench.retention_cutoff() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (current_date - interval '10 years')::date $$;

-- The client is a TYP client: a case open, or closed within the retention period (counted
-- from the later of its closing date and the day the closure was recorded), whose
-- agreement to multi-agency work the client has not withdrawn.
--
-- SECURITY DEFINER (owned by the tables' owner): the probes read the tables whole, not
-- through the policies that call them (which would recurse).
CREATE OR REPLACE FUNCTION peer_bench.typ_client(c text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM typ_case st
    WHERE st.client_id = c
      AND st.agreement_withdrawn_on IS NULL
      AND (st.ended_on IS NULL
           OR st.ended_on >= peer_bench.retention_cutoff()
           OR st.closure_recorded_on >= peer_bench.retention_cutoff()))
$$;

-- The caller's agency has recorded something of the client itself: registered the client,
-- is responsible for one of its cases, recorded a consent, made a work-ability assessment,
-- a benefit decision, a note, ordered job coaching; and for the county (EKSOTE) any KTT
-- period, for TE any employment item, labour policy statement or pay subsidy (every row
-- of those tables is that agency's record).
CREATE OR REPLACE FUNCTION peer_bench.own_records(c text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM client so WHERE so.id = c AND so.registered_by_agency = peer_bench.agency())
      OR EXISTS (SELECT 1 FROM typ_case so WHERE so.client_id = c AND so.responsible_agency = peer_bench.agency())
      OR EXISTS (SELECT 1 FROM consent so WHERE so.client_id = c AND so.recorded_by_agency = peer_bench.agency())
      OR EXISTS (SELECT 1 FROM work_ability_assessment so WHERE so.client_id = c AND so.assessor_agency = peer_bench.agency())
      OR EXISTS (SELECT 1 FROM benefit_decision so WHERE so.client_id = c AND so.agency = peer_bench.agency())
      OR EXISTS (SELECT 1 FROM agency_note so WHERE so.client_id = c AND so.agency = peer_bench.agency())
      OR EXISTS (SELECT 1 FROM job_coaching so WHERE so.client_id = c AND so.ordered_by_agency = peer_bench.agency())
      OR (peer_bench.agency() = 'EKSOTE'
          AND EXISTS (SELECT 1 FROM rehab_period so WHERE so.client_id = c))
      OR (peer_bench.agency() = 'TE'
          AND (EXISTS (SELECT 1 FROM employment_item so WHERE so.client_id = c)
               OR EXISTS (SELECT 1 FROM labour_policy_statement so WHERE so.client_id = c)
               OR EXISTS (SELECT 1 FROM pay_subsidy so WHERE so.client_id = c)))
$$;

-- The client is visible: a TYP client, or one the caller's agency has recorded something of.
CREATE OR REPLACE FUNCTION peer_bench.client_visible(c text) RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT peer_bench.typ_client(c) OR peer_bench.own_records(c) $$;

-- A row of a client's records with owner `owner` (the agency that recorded it) is visible:
-- every row of a TYP client, otherwise the caller agency's own rows of a visible client.
CREATE OR REPLACE FUNCTION peer_bench.record_visible(c text, owner text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT peer_bench.typ_client(c)
      OR (owner = peer_bench.agency() AND peer_bench.client_visible(c))
$$;

-- A plan is visible with its case, an agreed action with its plan.
CREATE OR REPLACE FUNCTION peer_bench.case_visible(case_id text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT COALESCE((SELECT peer_bench.record_visible(t.client_id, t.responsible_agency)
                   FROM typ_case t WHERE t.id = case_id), false)
$$;
CREATE OR REPLACE FUNCTION peer_bench.plan_visible(plan_id text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT COALESCE((SELECT peer_bench.case_visible(p.case_id)
                   FROM employment_plan p WHERE p.id = plan_id), false)
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA peer_bench TO peer_official;

-- Policies: SELECT only, for peer_official only. (Re)created on every run.
CREATE OR REPLACE PROCEDURE peer_bench.policy(t text, rule text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
  EXECUTE format('DROP POLICY IF EXISTS peer_scope ON public.%I', t);
  EXECUTE format('CREATE POLICY peer_scope ON public.%I FOR SELECT TO peer_official USING (%s)', t, rule);
  EXECUTE format('GRANT SELECT ON public.%I TO peer_official', t);
END
$$;

CALL peer_bench.policy('client', 'peer_bench.client_visible(id)');
CALL peer_bench.policy('typ_case', 'peer_bench.record_visible(client_id, responsible_agency)');
CALL peer_bench.policy('consent', 'peer_bench.record_visible(client_id, recorded_by_agency)');
CALL peer_bench.policy('work_ability_assessment', 'peer_bench.record_visible(client_id, assessor_agency)');
CALL peer_bench.policy('benefit_decision', 'peer_bench.record_visible(client_id, agency)');
CALL peer_bench.policy('job_coaching', 'peer_bench.record_visible(client_id, ordered_by_agency)');
-- Tables whose every row is one agency's record: KTT periods the county's, employment items,
-- labour policy statements and pay subsidies TE's, network meetings the provider's.
CALL peer_bench.policy('rehab_period', $r$peer_bench.record_visible(client_id, 'EKSOTE')$r$);
CALL peer_bench.policy('employment_item', $r$peer_bench.record_visible(client_id, 'TE')$r$);
CALL peer_bench.policy('labour_policy_statement', $r$peer_bench.record_visible(client_id, 'TE')$r$);
CALL peer_bench.policy('pay_subsidy', $r$peer_bench.record_visible(client_id, 'TE')$r$);
CALL peer_bench.policy('network_meeting', $r$peer_bench.record_visible(client_id, 'PROVIDER')$r$);
-- Notes: the caller agency's own of a visible client, and those shared with the case team
-- of a TYP client. (typgraph also shows the county's notes of a TYP client to a caller
-- holding the client's SOCIAL consent, for roles that read SOCIAL data by consent; the
-- benchmark's TE_EXPERT is not one, and neither is this peer.)
CALL peer_bench.policy('agency_note',
  '(agency = peer_bench.agency() AND peer_bench.client_visible(client_id))'
  ' OR (shared_with_case_team AND peer_bench.typ_client(client_id))');
CALL peer_bench.policy('employment_plan', 'peer_bench.case_visible(case_id)');
CALL peer_bench.policy('agreed_action', 'peer_bench.plan_visible(plan_id)');
-- Reference rows, not a client's: readable whole.
GRANT SELECT ON public.provider, public.official TO peer_official;
DROP PROCEDURE peer_bench.policy(text, text);

-- The audit: one row per request, inserted in the request's transaction (before its query)
-- by scripts/peer-bench-audit.js, a PostGraphile server plugin, and committed with it.
CREATE TABLE IF NOT EXISTS peer_bench.audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  official_id text,
  agency text,
  operation text,
  client_id text
);

-- The only way in for peer_official: it cannot write the table itself.
CREATE OR REPLACE FUNCTION peer_bench.audit_request(operation text, client_id text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO peer_bench.audit (official_id, agency, operation, client_id)
  VALUES (current_setting('jwt.claims.official_id', true), peer_bench.agency(), operation, client_id)
$$;
GRANT EXECUTE ON FUNCTION peer_bench.audit_request(text, text) TO peer_official;
