//! ACC-4: every write operation in the OpenAPI document, performed once as someone allowed to,
//! leaves an audit event naming who did it and to what, and no audit event carries text a
//! person wrote. A new write endpoint without a scenario here fails the walk.

use std::collections::HashSet;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::cases::turn_on;
use crate::practice::asye_worker;
use crate::push::Receiver;
use crate::records::{held_record, put_if, signed_record};
use crate::reports::session as stored_session;
use crate::sessions::{
    book, etag_of, past_session, post_if, signed_agreement, signed_agreement_between, team, today,
    Team,
};
use crate::support::{bearer, TestApp, PASSWORD};
use supervision::store::audit::{self, AuditEvent, Filter};
use supervision::store::notifications::{self, NewNotification};
use supervision::store::Page;

/// Writes that change nothing, so they must leave no event.
const EXEMPT: [(&str, &str, &str); 2] = [
    (
        "POST",
        "/api/v1/agreements/{id}/plan/preview",
        "computes the year plan without saving it",
    ),
    (
        "POST",
        "/api/v1/teams/{id}/group-sessions/plan/preview",
        "computes the group plan without saving it",
    ),
];

/// Every free-text field the walk sends starts with this, so the audit log can be searched
/// for any of them (compared in lower case: some fields are normalised).
const MARKER: &str = "SECRET-TEXT-";

/// The event the operation must leave names this subject.
enum Subject {
    Id(String),
    /// A string at this JSON pointer in the response (the id of what was created).
    Created(&'static str),
    /// The event has no subject id (the organisation's settings).
    None,
}

/// One request of a scenario, and whom its audit event must name.
struct Call {
    uri: String,
    token: Option<String>,
    if_match: Option<String>,
    body: Value,
    actor: Option<String>,
    subject: Subject,
}

impl Call {
    /// `who` makes the request: (person id, access token).
    fn by(who: &(String, String), uri: String, subject: Subject) -> Call {
        Call {
            uri,
            token: Some(who.1.clone()),
            if_match: None,
            body: json!({}),
            actor: Some(who.0.clone()),
            subject,
        }
    }

    fn body(mut self, body: Value) -> Call {
        self.body = body;
        self
    }

    fn if_match(mut self, etag: String) -> Call {
        self.if_match = Some(etag);
        self
    }

    fn request(&self, method: &str) -> TestRequest {
        let mut request = TestRequest::default()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&self.uri)
            .set_json(&self.body);
        if let Some(token) = &self.token {
            request = request.insert_header(bearer(token));
        }
        if let Some(etag) = &self.if_match {
            request = request.insert_header(("If-Match", etag.clone()));
        }
        request
    }
}

/// The people and relationships the scenarios share, and the marker counter.
struct World {
    t: Team,
    /// The administrator as (id, token).
    admin: (String, String),
    /// Signed between the team's manager and worker; sessions and records hang off it.
    agreement: String,
    /// A team the worker belongs to, for group supervision.
    team_id: String,
    asye: (String, String),
    receiver: Receiver,
    markers: usize,
    /// Makes names, case references and device paths unique.
    serial: usize,
}

impl World {
    async fn new(app: &TestApp) -> World {
        let t = team(app).await;
        let admin_id = app.get("/api/v1/me", &t.admin).await.ok(200)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let agreement = signed_agreement(app, &t, today() - Duration::days(60)).await;
        let team_id = app
            .post("/api/v1/teams", &t.admin, json!({"name": "Walkers"}))
            .await
            .ok(201)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let worker = format!("/api/v1/people/{}", t.worker.0);
        let etag = app.get(&worker, &t.admin).await.header("etag").unwrap();
        app.patch(&worker, &t.admin, &etag, json!({"team_id": team_id}))
            .await
            .ok(200);
        let asye = asye_worker(app, &t, 200).await;
        World {
            admin: (admin_id, t.admin.clone()),
            t,
            agreement,
            team_id,
            asye,
            receiver: Receiver::start(),
            markers: 0,
            serial: 0,
        }
    }

    /// A fresh free-text marker.
    fn secret(&mut self) -> String {
        self.markers += 1;
        format!("{MARKER}{}", self.markers)
    }

    /// A new social worker, for scenarios that change a person's sign-in.
    async fn newcomer(&mut self, app: &TestApp) -> (String, String) {
        self.serial += 1;
        app.worker(&self.t.admin, &format!("walker{}", self.serial))
            .await
    }

    /// A reflective entry of the worker's, saved; returns (path, etag).
    async fn entry(&mut self, app: &TestApp) -> (String, String) {
        let body = self.entry_body();
        let created = app
            .post("/api/v1/me/reflections", &self.t.worker.1, body)
            .await;
        let etag = created.header("etag").unwrap();
        let id = created.ok(201)["id"].as_str().unwrap().to_string();
        (format!("/api/v1/reflections/{id}"), etag)
    }

    fn entry_body(&mut self) -> Value {
        json!({
            "entry_date": today(), "title": self.secret(), "model": "free_text",
            "sections": {"text": self.secret()}, "status": "complete",
            "cpd": {"activity": "course", "description": self.secret(), "learning": self.secret(),
                    "impact": self.secret(),
                    "peer_reflection": {"peer_name": self.secret(), "peer_role": "registered_social_worker", "discussion": self.secret()}},
        })
    }

    /// A record's content with every free-text field marked.
    fn record_content(&mut self) -> Value {
        let due = (today() + Duration::days(20)).to_string();
        json!({"content": {
            "sections": {
                "issues_discussed": self.secret(),
                "development_needs": self.secret(),
                "supervisee_issues": self.secret(),
            },
            "actions": [{"description": self.secret(), "owner": "supervisee", "due_on": due}],
            "case_discussions": [{
                "case_reference": "CH-204518", "status_codes": ["CP"],
                "what_changed": self.secret(), "reflection": self.secret(),
                "management_decision": self.secret(),
                "actions": [{"action": self.secret(), "by": due}],
            }],
        }})
    }

    /// A held session's record with marked content, as the supervisor wrote it; returns
    /// (record path, etag).
    async fn written_record(&mut self, app: &TestApp, days_ago: i64) -> (String, String) {
        let record = held_record(app, &self.t, &self.agreement, days_ago).await;
        let path = format!(
            "/api/v1/records/{}",
            record["record"]["id"].as_str().unwrap()
        );
        let etag = format!("\"{}\"", record["record"]["version"]);
        let content = self.record_content();
        let edited = put_if(app, &path, &self.t.manager.1, &etag, content).await;
        let etag = edited.header("etag").unwrap();
        edited.ok(200);
        (path, etag)
    }

    /// The written record, sent to the worker; returns (record path, etag).
    async fn sent_record(&mut self, app: &TestApp, days_ago: i64) -> (String, String) {
        let (path, etag) = self.written_record(app, days_ago).await;
        let sent = post_if(
            app,
            &format!("{path}/send"),
            &self.t.manager.1,
            &etag,
            json!({}),
        )
        .await;
        let etag = sent.header("etag").unwrap();
        sent.ok(200);
        (path, etag)
    }

    /// A session of the shared agreement booked `days_ahead`; returns (path, etag).
    async fn booked(&self, app: &TestApp, days_ahead: i64) -> (String, String) {
        let (id, etag) = book(app, &self.t, &self.agreement, days_ahead).await;
        (format!("/api/v1/sessions/{id}"), etag)
    }

    /// A booked session the worker proposed to move; returns (path, etag, decider).
    async fn proposed(
        &mut self,
        app: &TestApp,
        days_ahead: i64,
    ) -> (String, String, (String, String)) {
        let (path, etag) = self.booked(app, days_ahead).await;
        let to = (Utc::now() + Duration::days(days_ahead + 1)).to_rfc3339();
        let body = json!({"starts_at": to, "reason": "other", "reason_text": self.secret()});
        let proposed = post_if(
            app,
            &format!("{path}/reschedule"),
            &self.t.worker.1,
            &etag,
            body,
        )
        .await;
        let etag = proposed.header("etag").unwrap();
        let body = proposed.ok(200);
        let decider = if body["pending_change"]["needs_manager"] == true {
            self.t.head.clone()
        } else {
            self.t.manager.clone()
        };
        (path, etag, decider)
    }

    /// A session of the shared agreement in the past, still scheduled; returns (path, etag).
    async fn past(&self, app: &TestApp, days_ago: i64) -> (String, String) {
        let id = past_session(app, &self.agreement, &self.t, days_ago).await;
        let etag = etag_of(app, &self.t.manager.1, &id).await;
        (format!("/api/v1/sessions/{id}"), etag)
    }

    /// A case of the worker's, registered by the manager; returns (path, etag).
    async fn case(&mut self, app: &TestApp) -> (String, String) {
        turn_on(app, &self.t.admin, true).await;
        self.serial += 1;
        let reference = format!("CH-{}", 300_000 + self.serial);
        let case = app
            .post(
                "/api/v1/cases",
                &self.t.manager.1,
                json!({"supervisee_id": self.t.worker.0, "case_reference": reference,
                       "status": "child_in_need", "status_since": today() - Duration::days(30)}),
            )
            .await
            .ok(201);
        (
            format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
            format!("\"{}\"", case["version"]),
        )
    }

    fn goal_body(&mut self) -> Value {
        json!({
            "title": self.secret(), "specific": self.secret(), "measurable": self.secret(),
            "relevant": self.secret(), "achievable": self.secret(), "behaviours": self.secret(),
            "due_on": today() + Duration::days(30),
        })
    }

    /// A PDR goal of the worker's, set by the manager; returns (path, etag).
    async fn goal(&mut self, app: &TestApp) -> (String, String) {
        let body = self.goal_body();
        let created = app
            .post(
                &format!("/api/v1/people/{}/pdr/goals", self.t.worker.0),
                &self.t.manager.1,
                body,
            )
            .await;
        let etag = created.header("etag").unwrap();
        let id = created.ok(201)["id"].as_str().unwrap().to_string();
        (format!("/api/v1/pdr-goals/{id}"), etag)
    }

    fn observation_body(&mut self) -> Value {
        json!({"observed_on": today(), "setting": "home_visit", "feedback": self.secret(), "learning": self.secret()})
    }

    /// The manager's observation of the worker; returns (path, etag).
    async fn observation(&mut self, app: &TestApp) -> (String, String) {
        let body = self.observation_body();
        let created = app
            .post(
                &format!("/api/v1/people/{}/observations", self.t.worker.0),
                &self.t.manager.1,
                body,
            )
            .await;
        let etag = created.header("etag").unwrap();
        let id = created.ok(201)["id"].as_str().unwrap().to_string();
        (format!("/api/v1/observations/{id}"), etag)
    }

    /// One of the worker's push devices; returns its path.
    async fn device(&mut self, app: &TestApp) -> String {
        self.serial += 1;
        let mut subscription = self.receiver.subscription(&format!("walk{}", self.serial));
        subscription["label"] = json!(self.secret());
        let id = app
            .post("/api/v1/me/devices", &self.t.worker.1, subscription)
            .await
            .ok(201)["id"]
            .as_str()
            .unwrap()
            .to_string();
        format!("/api/v1/me/devices/{id}")
    }

    /// The worker signs in; returns the refresh token.
    async fn refresh_token(&self, app: &TestApp) -> String {
        app.login_as("worker@test.example", PASSWORD).await.ok(200)["refresh_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// Sets up what operation `method path` needs and returns the request that performs it, or
/// `None` when the walk has no scenario for it.
async fn scenario(app: &TestApp, w: &mut World, method: &str, path: &str) -> Option<Call> {
    use Subject::{Created, Id};
    let (manager, worker, head) = (w.t.manager.clone(), w.t.worker.clone(), w.t.head.clone());
    let admin = w.admin.clone();
    let agreement = format!("/api/v1/agreements/{}", w.agreement);
    let call = match (method, path) {
        // Auth: the person signing in is the actor.
        ("POST", "/api/v1/auth/login") => Call {
            uri: "/api/v1/auth/login".into(),
            token: None,
            if_match: None,
            body: json!({"email": "worker@test.example", "password": PASSWORD}),
            actor: Some(worker.0.clone()),
            subject: Id(worker.0.clone()),
        },
        ("POST", "/api/v1/auth/refresh" | "/api/v1/auth/logout") => Call {
            uri: path.into(),
            token: None,
            if_match: None,
            body: json!({"refresh_token": w.refresh_token(app).await}),
            actor: Some(worker.0.clone()),
            subject: Id(worker.0.clone()),
        },
        ("POST", "/api/v1/auth/logout-everywhere") => {
            // Someone of their own: it ends every token of the person who calls it.
            let person = w.newcomer(app).await;
            Call::by(&person, path.into(), Id(person.0.clone()))
        }

        // People, teams, the organisation and its calendar.
        ("POST", "/api/v1/people") => {
            w.serial += 1;
            Call::by(&admin, path.into(), Created("/person/id")).body(json!({
                "email": format!("created{}@test.example", w.serial), "display_name": w.secret(),
                "staff_category": "social_worker"}))
        }
        ("PATCH", "/api/v1/people/{id}") => {
            let uri = format!("/api/v1/people/{}", head.0);
            let etag = etag(app, &uri, &admin.1).await;
            Call::by(&admin, uri, Id(head.0.clone()))
                .if_match(etag)
                .body(json!({"display_name": w.secret()}))
        }
        ("POST", "/api/v1/people/{id}/password-reset") => {
            let person = w.newcomer(app).await;
            let uri = format!("/api/v1/people/{}/password-reset", person.0);
            Call::by(&admin, uri, Id(person.0))
        }
        ("POST", "/api/v1/people/{id}/line-management") => {
            let person = w.newcomer(app).await;
            let uri = format!("/api/v1/people/{}/line-management", person.0);
            Call::by(&admin, uri, Id(person.0))
                .body(json!({"manager_id": head.0, "starts_on": "2020-01-01"}))
        }
        ("PUT", "/api/v1/people/{id}/frequency-override") => {
            let uri = format!("/api/v1/people/{}/frequency-override", worker.0);
            Call::by(&manager, uri, Id(worker.0.clone()))
                .body(json!({"interval": {"max_working_days": 10}, "reason": w.secret()}))
        }
        ("DELETE", "/api/v1/people/{id}/frequency-override") => {
            let uri = format!("/api/v1/people/{}/frequency-override", worker.0);
            let body = json!({"interval": {"max_working_days": 10}, "reason": w.secret()});
            app.put(&uri, &manager.1, body).await.ok(200);
            Call::by(&manager, uri, Id(worker.0.clone()))
        }
        ("POST", "/api/v1/teams") => {
            Call::by(&admin, path.into(), Created("/id")).body(json!({"name": w.secret()}))
        }
        ("PATCH", "/api/v1/teams/{id}") => {
            let created = app
                .post("/api/v1/teams", &admin.1, json!({"name": w.secret()}))
                .await;
            let etag = created.header("etag").unwrap();
            let id = created.ok(201)["id"].as_str().unwrap().to_string();
            Call::by(&admin, format!("/api/v1/teams/{id}"), Id(id))
                .if_match(etag)
                .body(json!({"name": w.secret()}))
        }
        ("PATCH", "/api/v1/organisation") => {
            let etag = etag(app, path, &admin.1).await;
            Call::by(&admin, path.into(), Subject::None)
                .if_match(etag)
                .body(json!({"pdr_goals_per_year": 4}))
        }
        ("POST", "/api/v1/calendar/holiday-imports") => Call::by(
            &admin,
            format!("{path}?dry_run=false"),
            Subject::None,
        )
        .body(crate::calendar::govuk_feed(2026..=2027)),
        ("POST", "/api/v1/calendar/closure-days") => {
            Call::by(&admin, path.into(), Id("2031-06-16".into()))
                .body(json!({"date": "2031-06-16", "title": w.secret()}))
        }
        ("DELETE", "/api/v1/calendar/closure-days/{date}") => {
            let body = json!({"date": "2031-06-17", "title": w.secret()});
            app.post("/api/v1/calendar/closure-days", &admin.1, body)
                .await
                .ok(201);
            let uri = "/api/v1/calendar/closure-days/2031-06-17".to_string();
            Call::by(&admin, uri, Id("2031-06-17".into()))
        }
        ("POST", "/api/v1/record-templates") => {
            Call::by(&admin, path.into(), Created("/id")).body(json!({
                "key": "walk", "name": w.secret(),
                "sections": [{"key": "notes", "title": w.secret(), "guidance": w.secret(), "functions": ["management"]}]}))
        }

        // Yourself.
        ("PATCH", "/api/v1/me") => {
            let etag = etag(app, path, &worker.1).await;
            Call::by(&worker, path.into(), Id(worker.0.clone()))
                .if_match(etag)
                .body(json!({"display_name": w.secret()}))
        }
        ("POST", "/api/v1/me/password") => {
            let person = w.newcomer(app).await;
            let new_password = format!("{} is long enough", w.secret());
            Call::by(&person, path.into(), Id(person.0.clone()))
                .body(json!({"current_password": PASSWORD, "new_password": new_password}))
        }
        ("PUT", "/api/v1/me/reminder-preferences") => {
            let etag = etag(app, path, &worker.1).await;
            Call::by(&worker, path.into(), Id(worker.0.clone()))
                .if_match(etag)
                .body(json!({"quiet_from": "21:00", "quiet_until": "07:00"}))
        }
        ("POST", "/api/v1/me/calendar-feed") => {
            Call::by(&worker, path.into(), Id(worker.0.clone()))
        }
        ("DELETE", "/api/v1/me/calendar-feed") => {
            app.post(path, &worker.1, json!({})).await.ok(201);
            Call::by(&worker, path.into(), Id(worker.0.clone()))
        }
        ("POST", "/api/v1/me/devices") => {
            w.serial += 1;
            let mut subscription = w.receiver.subscription(&format!("walk{}", w.serial));
            subscription["label"] = json!(w.secret());
            Call::by(&worker, path.into(), Created("/id")).body(subscription)
        }
        ("DELETE", "/api/v1/me/devices/{id}") => {
            let device = w.device(app).await;
            let id = last(&device);
            Call::by(&worker, device, Id(id))
        }
        ("POST", "/api/v1/me/devices/{id}/test") => {
            let device = w.device(app).await;
            let id = last(&device);
            Call::by(&worker, format!("{device}/test"), Id(id))
        }
        ("POST", "/api/v1/me/notifications/{id}/read") => {
            let person = worker.0.clone();
            app.db
                .write(move |conn| {
                    notifications::notify(
                        conn,
                        NewNotification {
                            person_id: &person,
                            kind: "test",
                            title: "A notification",
                            body: "To read.",
                            link: "/",
                            subject_type: "person",
                            subject_id: &person,
                        },
                    )
                })
                .await
                .unwrap();
            let inbox = app.get("/api/v1/me/notifications", &worker.1).await.ok(200);
            let id = inbox["items"][0]["id"].as_str().unwrap().to_string();
            Call::by(&worker, format!("/api/v1/me/notifications/{id}/read"), Id(id))
        }

        // Reflective practice (REF).
        ("POST", "/api/v1/me/reflections") => {
            let body = w.entry_body();
            Call::by(&worker, path.into(), Created("/id")).body(body)
        }
        ("PUT", "/api/v1/reflections/{id}") => {
            let (uri, etag) = w.entry(app).await;
            let id = last(&uri);
            let body = w.entry_body();
            Call::by(&worker, uri, Id(id)).if_match(etag).body(body)
        }
        ("POST", "/api/v1/reflections/{id}/shares") => {
            let (uri, _) = w.entry(app).await;
            let id = last(&uri);
            Call::by(&worker, format!("{uri}/shares"), Id(id))
                .body(json!({"supervisor_id": manager.0}))
        }
        ("DELETE", "/api/v1/reflections/{id}/shares/{supervisor_id}") => {
            let (uri, _) = w.entry(app).await;
            let id = last(&uri);
            let share = json!({"supervisor_id": manager.0});
            app.post(&format!("{uri}/shares"), &worker.1, share)
                .await
                .ok(200);
            Call::by(&worker, format!("{uri}/shares/{}", manager.0), Id(id))
        }
        ("POST", "/api/v1/reflections/{id}/comments") => {
            let (uri, _) = w.entry(app).await;
            let id = last(&uri);
            let share = json!({"supervisor_id": manager.0});
            app.post(&format!("{uri}/shares"), &worker.1, share)
                .await
                .ok(200);
            Call::by(&manager, format!("{uri}/comments"), Id(id))
                .body(json!({"text": w.secret()}))
        }

        // Observations (OBS).
        ("POST", "/api/v1/people/{id}/observations") => {
            let uri = format!("/api/v1/people/{}/observations", worker.0);
            let body = w.observation_body();
            Call::by(&manager, uri, Created("/id")).body(body)
        }
        ("PUT", "/api/v1/observations/{id}") => {
            let (uri, etag) = w.observation(app).await;
            let id = last(&uri);
            Call::by(&manager, uri, Id(id))
                .if_match(etag)
                .body(json!({"feedback": w.secret(), "learning": w.secret()}))
        }
        ("POST", "/api/v1/observations/{id}/reflection") => {
            let (uri, etag) = w.observation(app).await;
            let id = last(&uri);
            Call::by(&worker, format!("{uri}/reflection"), Id(id))
                .if_match(etag)
                .body(json!({"reflection": w.secret()}))
        }

        // ASYE (the worker's own evidence and time; the manager's pauses and programme).
        ("POST", "/api/v1/people/{id}/asye/evidence") => {
            let asye = w.asye.clone();
            let uri = format!("/api/v1/people/{}/asye/evidence", asye.0);
            Call::by(&asye, uri, Id(asye.0.clone())).body(
                json!({"kind": "service_user_feedback", "title": w.secret(), "received_on": today()}),
            )
        }
        ("POST", "/api/v1/people/{id}/asye/protected-time") => {
            let asye = w.asye.clone();
            let uri = format!("/api/v1/people/{}/asye/protected-time", asye.0);
            Call::by(&asye, uri, Id(asye.0.clone()))
                .body(json!({"taken_on": today(), "minutes": 60, "activity": w.secret()}))
        }
        ("POST", "/api/v1/people/{id}/asye/pauses") => {
            let person = w.asye.0.clone();
            let uri = format!("/api/v1/people/{person}/asye/pauses");
            Call::by(&manager, uri, Id(person)).body(json!({
                "starts_on": today() - Duration::days(150), "ends_on": today() - Duration::days(140),
                "reason": w.secret()}))
        }
        ("POST", "/api/v1/people/{id}/asye/pauses/end") => {
            let person = w.asye.0.clone();
            let pauses = format!("/api/v1/people/{person}/asye/pauses");
            let open = json!({"starts_on": today() - Duration::days(100), "reason": w.secret()});
            app.post(&pauses, &manager.1, open).await.ok(200);
            Call::by(&manager, format!("{pauses}/end"), Id(person))
                .body(json!({"ends_on": today() - Duration::days(90)}))
        }
        ("PUT", "/api/v1/people/{id}/asye/programme") => {
            let person = w.asye.0.clone();
            let uri = format!("/api/v1/people/{person}/asye/programme");
            Call::by(&manager, uri, Id(person))
                .if_match("\"0\"".into())
                .body(json!({"programme_months": 24, "weekly_minutes": 2220}))
        }

        // PDR goals.
        ("POST", "/api/v1/people/{id}/pdr/goals") => {
            let uri = format!("/api/v1/people/{}/pdr/goals", worker.0);
            let body = w.goal_body();
            Call::by(&manager, uri, Created("/id")).body(body)
        }
        ("PUT", "/api/v1/pdr-goals/{id}") => {
            let (uri, etag) = w.goal(app).await;
            let id = last(&uri);
            let body = w.goal_body();
            Call::by(&manager, uri, Id(id)).if_match(etag).body(body)
        }
        ("POST", "/api/v1/pdr-goals/{id}/status") => {
            let (uri, etag) = w.goal(app).await;
            let id = last(&uri);
            Call::by(&worker, format!("{uri}/status"), Id(id))
                .if_match(etag)
                .body(json!({"status": "in_progress", "progress": w.secret()}))
        }

        // Cases (CASE).
        ("POST", "/api/v1/cases") => {
            turn_on(app, &admin.1, true).await;
            Call::by(&manager, path.into(), Created("/id")).body(json!({
                "supervisee_id": worker.0, "case_reference": "CH-299999",
                "status": "child_in_need", "status_since": today() - Duration::days(30)}))
        }
        ("PATCH", "/api/v1/cases/{id}") => {
            let (uri, etag) = w.case(app).await;
            let id = last(&uri);
            Call::by(&manager, uri, Id(id))
                .if_match(etag)
                .body(json!({"status_since": today() - Duration::days(20)}))
        }
        ("POST", "/api/v1/cases/{id}/close") => {
            let (uri, etag) = w.case(app).await;
            let id = last(&uri);
            Call::by(&manager, format!("{uri}/close"), Id(id))
                .if_match(etag)
                .body(json!({"closed_on": today()}))
        }

        // Agreements (AGR): between the head and the manager, so the shared one stands.
        ("POST", "/api/v1/agreements") => {
            let body = agreement_body(w, &manager.0);
            Call::by(&head, path.into(), Created("/id")).body(body)
        }
        ("POST", "/api/v1/agreements/{id}/sign") => {
            let body = agreement_body(w, &manager.0);
            let created = app.post("/api/v1/agreements", &head.1, body).await;
            let etag = created.header("etag").unwrap();
            let id = created.ok(201)["id"].as_str().unwrap().to_string();
            Call::by(&manager, format!("/api/v1/agreements/{id}/sign"), Id(id)).if_match(etag)
        }
        ("POST", "/api/v1/agreements/{id}/end") => {
            let id = signed_agreement_between(app, &head, &manager, today()).await;
            let uri = format!("/api/v1/agreements/{id}");
            let etag = etag(app, &uri, &head.1).await;
            Call::by(&head, format!("{uri}/end"), Id(id))
                .if_match(etag)
                .body(json!({"ends_on": today(), "reason": w.secret()}))
        }
        ("POST", "/api/v1/agreements/{id}/plan") => {
            let id = signed_agreement_between(app, &head, &manager, today()).await;
            Call::by(&head, format!("/api/v1/agreements/{id}/plan"), Id(id))
        }
        ("POST", "/api/v1/agreements/{id}/sessions") => {
            let at = (Utc::now() + Duration::days(3)).to_rfc3339();
            Call::by(&manager, format!("{agreement}/sessions"), Created("/id"))
                .body(json!({"starts_at": at, "place": w.secret()}))
        }
        ("POST", "/api/v1/agreements/{id}/held-sessions") => {
            let held_on = today() - Duration::days(59);
            Call::by(&manager, format!("{agreement}/held-sessions"), Created("/id"))
                .body(json!({"held_on": held_on}))
        }

        // Sessions (SES) of the shared agreement, each on its own day.
        ("POST", "/api/v1/sessions/{id}/reschedule") => {
            let (uri, etag) = w.booked(app, 5).await;
            let id = last(&uri);
            let to = (Utc::now() + Duration::days(6)).to_rfc3339();
            Call::by(&worker, format!("{uri}/reschedule"), Id(id))
                .if_match(etag)
                .body(json!({"starts_at": to, "reason": "other", "reason_text": w.secret()}))
        }
        ("POST", "/api/v1/sessions/{id}/proposal/confirm") => {
            let (uri, etag, decider) = w.proposed(app, 8).await;
            let id = last(&uri);
            Call::by(&decider, format!("{uri}/proposal/confirm"), Id(id))
                .if_match(etag)
                .body(json!({"justification": w.secret()}))
        }
        ("POST", "/api/v1/sessions/{id}/proposal/reject") => {
            let (uri, etag, decider) = w.proposed(app, 11).await;
            let id = last(&uri);
            Call::by(&decider, format!("{uri}/proposal/reject"), Id(id))
                .if_match(etag)
                .body(json!({"comment": w.secret()}))
        }
        ("POST", "/api/v1/sessions/{id}/cancel") => {
            let (uri, etag) = w.booked(app, 14).await;
            let id = last(&uri);
            let again = (Utc::now() + Duration::days(15)).to_rfc3339();
            Call::by(&worker, format!("{uri}/cancel"), Id(id))
                .if_match(etag)
                .body(json!({"reason": "other", "reason_text": w.secret(), "new_starts_at": again}))
        }
        ("POST", "/api/v1/sessions/{id}/held" | "/api/v1/sessions/{id}/missed") => {
            let (uri, etag) = w.past(app, 3).await;
            let id = last(&uri);
            let what = last(path);
            Call::by(&manager, format!("{uri}/{what}"), Id(id)).if_match(etag)
        }
        ("POST", "/api/v1/sessions/{id}/record") => {
            // Held in the store, so its record is not opened yet.
            let at = (Utc::now() - Duration::days(4)).naive_utc();
            let (agreement, supervisee) = (Some(w.agreement.as_str()), Some(worker.0.as_str()));
            let id = stored_session(app, agreement, None, &manager.0, supervisee, at, true).await;
            Call::by(&manager, format!("/api/v1/sessions/{id}/record"), Created("/record/id"))
                .body(json!({"template_id": null}))
        }

        // Group supervision of the worker's team.
        ("POST", "/api/v1/teams/{id}/group-sessions/plan") => {
            let uri = format!("/api/v1/teams/{}/group-sessions/plan", w.team_id);
            Call::by(&manager, uri, Id(w.team_id.clone())).body(group_plan(w))
        }
        ("PUT", "/api/v1/group-sessions/{id}/record") => {
            let at = (Utc::now() - Duration::days(6)).naive_utc();
            let id =
                stored_session(app, None, Some(&w.team_id), &manager.0, None, at, true).await;
            Call::by(&manager, format!("/api/v1/group-sessions/{id}/record"), Id(id))
                .if_match("\"0\"".into())
                .body(json!({"notes": w.secret(), "attendees": [worker.0], "case_references": []}))
        }

        // Records (REC) of held sessions of the shared agreement.
        ("PUT", "/api/v1/records/{id}") => {
            let record = held_record(app, &w.t, &w.agreement, 7).await;
            let id = record["record"]["id"].as_str().unwrap().to_string();
            let etag = format!("\"{}\"", record["record"]["version"]);
            let content = w.record_content();
            Call::by(&manager, format!("/api/v1/records/{id}"), Id(id))
                .if_match(etag)
                .body(content)
        }
        ("POST", "/api/v1/records/{id}/send") => {
            let (uri, etag) = w.written_record(app, 8).await;
            let id = last(&uri);
            Call::by(&manager, format!("{uri}/send"), Id(id)).if_match(etag)
        }
        ("POST", "/api/v1/records/{id}/sign") => {
            let (uri, etag) = w.sent_record(app, 9).await;
            let id = last(&uri);
            Call::by(&worker, format!("{uri}/sign"), Id(id)).if_match(etag)
        }
        ("POST", "/api/v1/records/{id}/amendments") => {
            let (uri, etag) = w.sent_record(app, 10).await;
            let id = last(&uri);
            Call::by(&worker, format!("{uri}/amendments"), Id(id))
                .if_match(etag)
                .body(json!({"comment": w.secret()}))
        }
        ("POST", "/api/v1/records/{id}/disagreements") => {
            let record = signed_record(app, &w.t, &w.agreement, 11).await;
            Call::by(&worker, format!("{}/disagreements", record.path), Id(record.id))
                .body(json!({"comment": w.secret(), "proposal": "escalate"}))
        }
        ("POST", "/api/v1/records/{id}/addenda") => {
            let record = signed_record(app, &w.t, &w.agreement, 12).await;
            let etag = etag(app, &record.path, &worker.1).await;
            Call::by(&worker, format!("{}/addenda", record.path), Id(record.id))
                .if_match(etag)
                .body(json!({"text": w.secret()}))
        }
        ("POST", "/api/v1/records/{id}/addenda/{addendum_id}/countersign") => {
            let record = signed_record(app, &w.t, &w.agreement, 13).await;
            let etag = etag(app, &record.path, &worker.1).await;
            let text = json!({"text": w.secret()});
            let added =
                post_if(app, &format!("{}/addenda", record.path), &worker.1, &etag, text).await;
            let etag = added.header("etag").unwrap();
            let addendum = added.ok(200)["addenda"][0]["id"].as_str().unwrap().to_string();
            let uri = format!("{}/addenda/{addendum}/countersign", record.path);
            Call::by(&manager, uri, Id(record.id)).if_match(etag)
        }
        ("POST", "/api/v1/records/{id}/access") => {
            let record = signed_record(app, &w.t, &w.agreement, 14).await;
            Call::by(&head, format!("{}/access", record.path), Id(record.id))
                .body(json!({"reason": "audit", "detail": w.secret()}))
        }
        ("POST", "/api/v1/actions/{id}/status") => {
            signed_record(app, &w.t, &w.agreement, 15).await;
            let mine = app.get("/api/v1/me/actions", &worker.1).await.ok(200);
            let id = mine["items"][0]["id"].as_str().unwrap().to_string();
            Call::by(&worker, format!("/api/v1/actions/{id}/status"), Id(id))
                .body(json!({"status": "done"}))
        }

        // The previews write nothing; they must leave no event.
        ("POST", "/api/v1/agreements/{id}/plan/preview") => {
            Call::by(&manager, format!("{agreement}/plan/preview"), Subject::None)
        }
        ("POST", "/api/v1/teams/{id}/group-sessions/plan/preview") => {
            let uri = format!("/api/v1/teams/{}/group-sessions/plan/preview", w.team_id);
            Call::by(&manager, uri, Subject::None).body(group_plan(w))
        }
        _ => return None,
    };
    Some(call)
}

fn agreement_body(w: &mut World, supervisee: &str) -> Value {
    json!({
        "supervisee_id": supervisee, "kind": "line_management", "frequency": {"every_months": 1},
        "session_minutes": 90, "usual_weekday": "tuesday", "usual_time": "10:00",
        "place": w.secret(), "agenda": w.secret(), "starts_on": today(),
    })
}

fn group_plan(w: &mut World) -> Value {
    json!({"usual_weekday": "wednesday", "usual_time": "13:30", "duration_minutes": 90, "place": w.secret()})
}

async fn audit_events(app: &TestApp) -> Vec<AuditEvent> {
    app.db
        .read(|conn| {
            let all = Page {
                limit: i64::MAX,
                offset: 0,
            };
            audit::list(conn, &Filter::default(), all).map(|(events, _)| events)
        })
        .await
        .unwrap()
}

async fn acc4_every_write_operation_leaves_an_audit_event_without_content(app: TestApp) {
    let document = serde_json::to_value(supervision::http::openapi_document()).unwrap();
    let mut writes: Vec<(String, String)> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                writes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    for (method, path, _) in EXEMPT {
        assert!(
            writes.iter().any(|(m, p)| m == method && p == path),
            "exempt {method} {path} is no longer in the document"
        );
    }

    let mut w = World::new(&app).await;
    // Every operation is walked before failing, so one run lists every gap.
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    for (method, path) in &writes {
        let operation = format!("{method} {path}");
        let Some(call) = scenario(&app, &mut w, method, path).await else {
            missing.push(operation);
            continue;
        };
        let before: HashSet<String> = audit_events(&app).await.into_iter().map(|e| e.id).collect();
        let response = app.call(call.request(method)).await;
        assert!(
            response.status.is_success(),
            "{operation} answered {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
        let new: Vec<AuditEvent> = audit_events(&app)
            .await
            .into_iter()
            .filter(|e| !before.contains(&e.id))
            .collect();
        if EXEMPT.iter().any(|(m, p, _)| m == method && p == path) {
            if !new.is_empty() {
                failures.push(format!("{operation} writes nothing but logged {new:#?}"));
            }
            continue;
        }
        let subject = match &call.subject {
            Subject::Id(id) => Some(id.clone()),
            Subject::Created(pointer) => {
                let body = response.json();
                let id = body.pointer(pointer).and_then(Value::as_str);
                Some(
                    id.unwrap_or_else(|| panic!("{operation}: no {pointer} in {body}"))
                        .to_string(),
                )
            }
            Subject::None => None,
        };
        if !new.iter().any(|e| {
            e.actor_id == call.actor
                && !e.action.is_empty()
                && !e.subject_type.is_empty()
                && (subject.is_none() || e.subject_id == subject)
        }) {
            failures.push(format!(
                "{operation}: no audit event by {:?} about {subject:?}; new events: {new:#?}",
                call.actor
            ));
        }
        let leaked: Vec<&AuditEvent> = new.iter().filter(|e| has_marker(e)).collect();
        if !leaked.is_empty() {
            failures.push(format!("{operation} logged free text: {leaked:#?}"));
        }
    }
    // Setting up scenarios wrote too; none of that may hold free text either.
    let leaked: Vec<AuditEvent> = audit_events(&app)
        .await
        .into_iter()
        .filter(has_marker)
        .collect();
    assert!(
        missing.is_empty(),
        "write operations without an audit scenario (add one to tests/api/audit_walk.rs): {missing:#?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(leaked.is_empty(), "free text in the audit log: {leaked:#?}");
}

async fn etag(app: &TestApp, path: &str, token: &str) -> String {
    app.get(path, token).await.header("etag").unwrap()
}

/// The last segment of a path: the id of what it names.
fn last(path: &str) -> String {
    path.rsplit('/').next().unwrap().to_string()
}

fn has_marker(event: &AuditEvent) -> bool {
    event.detail.to_lowercase().contains(&MARKER.to_lowercase())
}

crate::on_both_backends!(acc4_every_write_operation_leaves_an_audit_event_without_content);
