-- Records of supervision (REC), third-party access (ACC-2) and the in-app inbox (REM-4).

-- REC-3: the organisation's case reference format (a regular expression, anchored).
ALTER TABLE organisation_settings
    ADD COLUMN case_reference_pattern TEXT NOT NULL DEFAULT '[A-Z]{0,4}-?[0-9]{4,12}';

-- REC-1: templates are data. A new version of a template is a new row with the same key;
-- a record points at the exact version it was written on.
CREATE TABLE record_templates (
    id TEXT PRIMARY KEY NOT NULL,
    template_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    sections TEXT NOT NULL,
    created_by TEXT REFERENCES people(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (template_key, version)
);

CREATE TABLE records (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL UNIQUE REFERENCES sessions(id),
    supervisor_id TEXT NOT NULL REFERENCES people(id),
    supervisee_id TEXT NOT NULL REFERENCES people(id),
    template_id TEXT NOT NULL REFERENCES record_templates(id),
    held_on DATE NOT NULL,
    due_by DATE NOT NULL,
    status TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    first_sent_on DATE,
    signed_at TIMESTAMP,
    signed_version INTEGER,
    signed_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX records_supervisee_idx ON records (supervisee_id, held_on);
CREATE INDEX records_supervisor_idx ON records (supervisor_id, held_on);

-- REC-4: every version of the content, with its author and hash. Never updated or deleted.
CREATE TABLE record_versions (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    number INTEGER NOT NULL,
    template_id TEXT NOT NULL REFERENCES record_templates(id),
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (record_id, number)
);

-- REC-4: the sign-off timeline (sent, signed, amendments asked for, disagreements). Append-only.
CREATE TABLE record_events (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    action TEXT NOT NULL,
    version_number INTEGER,
    actor_id TEXT NOT NULL REFERENCES people(id),
    occurred_at TIMESTAMP NOT NULL,
    comment TEXT,
    proposal TEXT
);
CREATE INDEX record_events_record_idx ON record_events (record_id, occurred_at);

-- REC-4: after the lock, only addenda; each signed by its author and countersigned once.
CREATE TABLE record_addenda (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    author_id TEXT NOT NULL REFERENCES people(id),
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    countersigned_by TEXT REFERENCES people(id),
    countersigned_at TIMESTAMP
);
CREATE INDEX record_addenda_record_idx ON record_addenda (record_id, created_at);

-- REC-2: the actions of signed records, tracked until done.
CREATE TABLE record_actions (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    supervisee_id TEXT NOT NULL REFERENCES people(id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_person_id TEXT REFERENCES people(id),
    owner_name TEXT,
    due_on DATE NOT NULL,
    status TEXT NOT NULL,
    done_at TIMESTAMP,
    done_by TEXT REFERENCES people(id)
);
CREATE INDEX record_actions_record_idx ON record_actions (record_id, position);
CREATE INDEX record_actions_owner_idx ON record_actions (owner_person_id, status, due_on);
CREATE INDEX record_actions_supervisee_idx ON record_actions (supervisee_id, status);

-- ACC-2: reads by someone other than the two parties, with the reason given.
CREATE TABLE record_access (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    accessed_at TIMESTAMP NOT NULL
);
CREATE INDEX record_access_record_idx ON record_access (record_id, accessed_at);

-- REM-4: the in-app inbox.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_person_idx ON notifications (person_id, created_at);

-- What was signed stays as signed (REC-4), whatever code or hand touches the database.
CREATE FUNCTION records_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER record_versions_no_change BEFORE UPDATE OR DELETE ON record_versions
FOR EACH ROW EXECUTE FUNCTION records_refuse_change();
CREATE TRIGGER record_events_no_change BEFORE UPDATE OR DELETE ON record_events
FOR EACH ROW EXECUTE FUNCTION records_refuse_change();
CREATE TRIGGER records_no_delete BEFORE DELETE ON records
FOR EACH ROW EXECUTE FUNCTION records_refuse_change();
CREATE TRIGGER record_addenda_no_delete BEFORE DELETE ON record_addenda
FOR EACH ROW EXECUTE FUNCTION records_refuse_change();
CREATE TRIGGER records_signed_locked BEFORE UPDATE ON records
FOR EACH ROW WHEN (OLD.status = 'signed' AND (NEW.status <> 'signed'
    OR NEW.current_version <> OLD.current_version
    OR NEW.template_id <> OLD.template_id
    OR NEW.signed_version IS DISTINCT FROM OLD.signed_version
    OR NEW.signed_hash IS DISTINCT FROM OLD.signed_hash))
EXECUTE FUNCTION records_refuse_change();
CREATE TRIGGER record_addenda_signed_once BEFORE UPDATE ON record_addenda
FOR EACH ROW WHEN (NEW.text <> OLD.text OR NEW.content_hash <> OLD.content_hash
    OR NEW.author_id <> OLD.author_id OR OLD.countersigned_at IS NOT NULL)
EXECUTE FUNCTION records_refuse_change();
