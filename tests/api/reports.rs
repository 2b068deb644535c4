//! Compliance reports (RPT-1) and group supervision (GRP-1) through the API, against
//! hand-built history whose figures are worked out in the comments.

use actix_web::test::TestRequest;
use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use supervision::domain::sessions::{
    ChangeAction, ChangeReason, ChangeState, SessionKind, SessionStatus,
};
use supervision::store::sessions::{self as store_sessions, NewChange, NewSession};

use crate::records::put_if;
use crate::sessions::{
    agreement_body, etag_of, post_if, signed_agreement_between, signed_agreement_of, today,
};
use crate::support::{bearer, TestApp};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// 10:00 UTC on a date: 11:00 in London in summer, the same local date all year.
fn at(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(10, 0, 0).unwrap()
}

/// Two teams. North: A, B and C, managed by M, who reports to H. South: D, managed by N.
struct Org {
    admin: String,
    auditor: String,
    head: (String, String),
    manager: (String, String),
    other_manager: (String, String),
    a: (String, String),
    b: (String, String),
    c: (String, String),
    north: String,
    south: String,
    agreements: [String; 3],
}

async fn team(app: &TestApp, admin: &str, name: &str) -> String {
    app.post("/api/v1/teams", admin, json!({"name": name}))
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn member(app: &TestApp, admin: &str, name: &str, team: &str) -> (String, String) {
    app.person(
        admin,
        json!({"email": format!("{name}@test.example"), "display_name": name,
               "staff_category": "social_worker", "team_id": team, "employment_start": "2020-01-06"}),
    )
    .await
}

async fn org(app: &TestApp) -> Org {
    let admin = app.admin().await;
    let (_, auditor) = app
        .person(
            &admin,
            json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}),
        )
        .await;
    let north = team(app, &admin, "North").await;
    let south = team(app, &admin, "South").await;
    let head = app.worker(&admin, "head").await;
    let manager = app.worker(&admin, "manager").await;
    let other_manager = app.worker(&admin, "other").await;
    let a = member(app, &admin, "a", &north).await;
    let b = member(app, &admin, "b", &north).await;
    let c = member(app, &admin, "c", &north).await;
    let dd = member(app, &admin, "d", &south).await;
    app.manage(&admin, &manager.0, &head.0).await;
    for w in [&a, &b, &c] {
        app.manage(&admin, &w.0, &manager.0).await;
    }
    app.manage(&admin, &dd.0, &other_manager.0).await;
    // Line-management agreements both signed, from 2025-01-06.
    let since = d("2025-01-06");
    let agreements = [
        signed_agreement_between(app, &manager, &a, since).await,
        signed_agreement_between(app, &manager, &b, since).await,
        signed_agreement_between(app, &manager, &c, since).await,
    ];
    Org {
        admin,
        auditor,
        head,
        manager,
        other_manager,
        a,
        b,
        c,
        north,
        south,
        agreements,
    }
}

/// A session at `starts_at` straight into the store (the API books only future ones), left
/// scheduled or marked held; returns its id.
pub(crate) async fn session(
    app: &TestApp,
    agreement: Option<&str>,
    team: Option<&str>,
    supervisor: &str,
    supervisee: Option<&str>,
    starts_at: NaiveDateTime,
    held: bool,
) -> String {
    let (agreement, team, supervisor, supervisee) = (
        agreement.map(str::to_string),
        team.map(str::to_string),
        supervisor.to_string(),
        supervisee.map(str::to_string),
    );
    app.db
        .write(move |conn| {
            let kind = if team.is_some() {
                SessionKind::Group
            } else {
                SessionKind::OneToOne
            };
            let s = store_sessions::insert(
                conn,
                NewSession {
                    agreement_id: agreement,
                    team_id: team,
                    kind,
                    supervisor_id: supervisor.clone(),
                    supervisee_id: supervisee,
                    starts_at,
                    duration_minutes: 90,
                    place: "Room 2".into(),
                    replaces_id: None,
                    created_by: supervisor,
                },
            )?;
            if held {
                store_sessions::update(conn, &s.id, s.version, SessionStatus::Held, None)?;
            }
            Ok(s.id)
        })
        .await
        .unwrap()
}

/// Cancels a scheduled session with a reason, as recorded on `acted_on`.
async fn cancel(
    app: &TestApp,
    session: &str,
    actor: &str,
    reason: ChangeReason,
    acted_on: NaiveDate,
) {
    let (session, actor) = (session.to_string(), actor.to_string());
    app.db
        .write(move |conn| {
            let s = store_sessions::find(conn, &session)?;
            store_sessions::update(conn, &s.id, s.version, SessionStatus::Cancelled, None)?;
            let change = store_sessions::record_change(
                conn,
                NewChange {
                    session_id: &s.id,
                    action: ChangeAction::Cancelled,
                    state: ChangeState::Done,
                    from_starts_at: Some(s.starts_at),
                    to_starts_at: None,
                    reason: Some(reason),
                    reason_text: None,
                    due_by: None,
                    needs_manager: false,
                    breach: false,
                    actor_id: &actor,
                },
            )?;
            // Dated as it happened: the store stamps changes with the present.
            conn.batch_execute(&format!(
                "UPDATE session_changes SET acted_at = '{} 09:00:00' WHERE id = '{}'",
                acted_on, change.id
            ))
            .map_err(supervision::store::StoreError::from)?;
            Ok(())
        })
        .await
        .unwrap();
}

/// Marks a past session held through the API, opening its record; returns the record.
async fn held_with_record(app: &TestApp, o: &Org, agreement: &str, on: NaiveDate) -> Value {
    let id = session(
        app,
        Some(agreement),
        None,
        &o.manager.0,
        Some(&o.a.0),
        at(on),
        false,
    )
    .await;
    let etag = etag_of(app, &o.manager.1, &id).await;
    post_if(
        app,
        &format!("/api/v1/sessions/{id}/held"),
        &o.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    app.get(&format!("/api/v1/sessions/{id}/record"), &o.manager.1)
        .await
        .ok(200)
}

const PERIOD: &str = "from=2026-04-01&to=2026-06-30";

/// The shared history. Working days in England and Wales, 2026:
/// - A: held 2 March, then 14 April. 25 working days after 2 March is 8 April (Good Friday
///   and Easter Monday are holidays), so 14 April is a breach, 4 working days late; the
///   session planned for 30 March was cancelled for sickness. Then 12 May and 9 June, each
///   within the limit. Both April and May records are late (sent long after their due day,
///   or never); May's is unsigned. One observation in the practice year. Held 3 days ago
///   and booked 10 days ahead now: on track.
/// - B: held 20 March, 16 April, 14 May, 11 June: no breach. A session planned for 7 May
///   was cancelled on 5 May for annual leave. Two CPD records, one with a peer reflection.
///   Held 2 days ago: on track.
/// - C: held 25 March and never since: due by 1 May, past the limit to the end of June (40
///   working days; 4 and 25 May are holidays), nothing booked. Overdue now.
/// - North held group supervision on 22 April (A and B attended) and 17 June, none in May;
///   South none at all.
async fn history(app: &TestApp) -> Org {
    let o = org(app).await;
    let [ag_a, ag_b, ag_c] = o.agreements.clone();
    let m = o.manager.0.clone();
    for date in ["2026-03-02", "2026-06-09"] {
        session(app, Some(&ag_a), None, &m, Some(&o.a.0), at(d(date)), true).await;
    }
    let cancelled = session(
        app,
        Some(&ag_a),
        None,
        &m,
        Some(&o.a.0),
        at(d("2026-03-30")),
        false,
    )
    .await;
    cancel(app, &cancelled, &m, ChangeReason::Sickness, d("2026-03-27")).await;

    // A's April record: written, sent and signed today, so late. May's: left as a draft.
    let april = held_with_record(app, &o, &ag_a, d("2026-04-14")).await;
    let path = format!(
        "/api/v1/records/{}",
        april["record"]["id"].as_str().unwrap()
    );
    let written = put_if(
        app,
        &path,
        &o.manager.1,
        &format!("\"{}\"", april["record"]["version"]),
        json!({"content": {"sections": {"issues_discussed": "Caseload of 18; two new CP cases."},
               "case_discussions": [{"case_reference": "CH-204518", "status_codes": ["CP"]}]}}),
    )
    .await;
    let etag = written.header("etag").unwrap();
    written.ok(200);
    let sent = post_if(app, &format!("{path}/send"), &o.manager.1, &etag, json!({})).await;
    let etag = sent.header("etag").unwrap();
    sent.ok(200);
    post_if(app, &format!("{path}/sign"), &o.a.1, &etag, json!({}))
        .await
        .ok(200);
    held_with_record(app, &o, &ag_a, d("2026-05-12")).await;

    for date in ["2026-03-20", "2026-04-16", "2026-05-14", "2026-06-11"] {
        session(app, Some(&ag_b), None, &m, Some(&o.b.0), at(d(date)), true).await;
    }
    let leave = session(
        app,
        Some(&ag_b),
        None,
        &m,
        Some(&o.b.0),
        at(d("2026-05-07")),
        false,
    )
    .await;
    cancel(app, &leave, &m, ChangeReason::AnnualLeave, d("2026-05-05")).await;
    session(
        app,
        Some(&ag_c),
        None,
        &m,
        Some(&o.c.0),
        at(d("2026-03-25")),
        true,
    )
    .await;

    // Now: A and B were seen recently; A has the next one booked.
    let now = Utc::now().naive_utc();
    session(
        app,
        Some(&ag_a),
        None,
        &m,
        Some(&o.a.0),
        now - Duration::days(3),
        true,
    )
    .await;
    session(
        app,
        Some(&ag_a),
        None,
        &m,
        Some(&o.a.0),
        now + Duration::days(10),
        false,
    )
    .await;
    session(
        app,
        Some(&ag_b),
        None,
        &m,
        Some(&o.b.0),
        now - Duration::days(2),
        true,
    )
    .await;

    app.post(
        &format!("/api/v1/people/{}/observations", o.a.0),
        &o.manager.1,
        json!({"observed_on": "2026-05-20", "setting": "home_visit", "feedback": "Clear plan.", "learning": "Summarise."}),
    )
    .await
    .ok(201);
    for (date, peer) in [("2026-02-10", true), ("2026-06-01", false)] {
        let mut cpd = json!({"activity": "course", "description": "Trauma-informed practice", "learning": "Regulate, relate, reason.", "impact": "Changed how I open visits."});
        if peer {
            cpd["peer_reflection"] = json!({"peer_name": "A colleague", "peer_role": "registered_social_worker", "discussion": "Using it in CP visits."});
        }
        app.post(
            "/api/v1/me/reflections",
            &o.b.1,
            json!({"entry_date": date, "title": "CPD", "model": "free_text", "sections": {"text": "Notes"}, "status": "complete", "cpd": cpd}),
        )
        .await
        .ok(201);
    }

    let april_group = session(
        app,
        None,
        Some(&o.north),
        &m,
        None,
        at(d("2026-04-22")),
        true,
    )
    .await;
    session(
        app,
        None,
        Some(&o.north),
        &m,
        None,
        at(d("2026-06-17")),
        true,
    )
    .await;
    put_if(
        app,
        &format!("/api/v1/group-sessions/{april_group}/record"),
        &o.manager.1,
        "\"0\"",
        json!({"notes": "Hypotheses for two families.", "case_references": ["CH-204518"], "attendees": [o.a.0, o.b.0]}),
    )
    .await
    .ok(200);
    o
}

fn line<'a>(report: &'a Value, person: &str) -> &'a Value {
    report["supervisees"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["person_id"] == person)
        .unwrap_or_else(|| panic!("{person} not in {report}"))
}

async fn rpt1_team_report_figures_match_the_history(app: TestApp) {
    let o = history(&app).await;
    let report = app
        .get(
            &format!("/api/v1/reports/compliance?team_id={}&{PERIOD}", o.north),
            &o.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(report["scope"]["kind"], "team");
    assert_eq!(report["scope"]["name"], "North");
    assert_eq!(
        report["period"],
        json!({"starts_on": "2026-04-01", "ends_on": "2026-06-30"})
    );
    let s = &report["summary"];
    assert_eq!(s["supervisees"], 3);
    // C is overdue: two of three within the limit.
    assert_eq!(s["within_limit"], 2);
    assert!((s["within_limit_share"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(s["statuses"]["overdue"], 1);
    assert_eq!(s["statuses"]["on_track"], 2);
    assert_eq!(s["breaches"], 2);
    assert_eq!(s["supervisees_with_breaches"], 2);
    // Only B's cancellation was made in the period; A's was made on 27 March.
    assert_eq!(s["cancellations"], 1);
    assert_eq!(s["records"], json!({"held": 2, "late": 2, "unsigned": 1}));
    assert_eq!(
        s["observations"],
        json!({"required": 6, "done": 1, "remaining": 5})
    );
    assert_eq!(s["cpd_records"], 2);
    assert_eq!(s["cpd_requirement_met"], 1);
    assert_eq!(s["teams"], 1);
    assert_eq!(s["team_months"], 3);
    assert_eq!(s["team_months_met"], 2);
    let reasons: Vec<(String, u64)> = report["cancellations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["reason"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(reasons.contains(&("annual_leave".into(), 1)));
    assert!(reasons.contains(&("sickness".into(), 0)));

    // Worst first: C leads.
    assert_eq!(report["supervisees"]["items"][0]["person_id"], o.c.0);
    let a = line(&report, &o.a.0);
    assert_eq!(a["status"], "on_track");
    assert_eq!(a["breaches"], 1);
    assert_eq!(a["records"], json!({"held": 2, "late": 2, "unsigned": 1}));
    assert_eq!(
        a["observations"],
        json!({"required": 2, "done": 1, "remaining": 1})
    );
    assert_eq!(a["days_since_last_held"], 3);
    // GRP-1: attending group supervision is counted, and left A's 1:1 status alone.
    assert_eq!(a["group_sessions_attended"], 1);
    let b = line(&report, &o.b.0);
    assert_eq!(b["breaches"], 0);
    assert_eq!(b["cancellations"], 1);
    assert_eq!(
        b["cpd"],
        json!({"records": 2, "with_peer_reflection": 1, "required": 2, "met": true})
    );
    let c = line(&report, &o.c.0);
    assert_eq!(c["status"], "overdue");
    assert_eq!(c["within_limit"], false);
    assert_eq!(c["last_held"], "2026-03-25");
    assert_eq!(c["group_sessions_attended"], 0);

    let breaches = app
        .get(
            &format!(
                "/api/v1/reports/compliance?team_id={}&{PERIOD}&section=breaches",
                o.north
            ),
            &o.head.1,
        )
        .await
        .ok(200);
    let items = breaches["breaches"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    // In due-date order: A's (8 April), then C's (1 May).
    assert_eq!(items[0]["person_id"], o.a.0);
    assert_eq!(items[0]["after_held"], "2026-03-02");
    assert_eq!(items[0]["due_by"], "2026-04-08");
    assert_eq!(items[0]["held_on"], "2026-04-14");
    assert_eq!(items[0]["working_days_late"], 4);
    assert_eq!(items[0]["resolved"], true);
    assert_eq!(items[0]["reasons"][0]["kind"], "cancelled");
    assert_eq!(items[0]["reasons"][0]["reason"], "sickness");
    assert_eq!(items[1]["person_id"], o.c.0);
    assert_eq!(items[1]["due_by"], "2026-05-01");
    assert_eq!(items[1]["held_on"], Value::Null);
    assert_eq!(items[1]["working_days_late"], 40);
    assert_eq!(items[1]["reasons"], json!([{"kind": "nothing_booked"}]));

    let groups = app
        .get(
            &format!(
                "/api/v1/reports/compliance?team_id={}&{PERIOD}&section=group_supervision",
                o.north
            ),
            &o.manager.1,
        )
        .await
        .ok(200);
    let north = &groups["group_supervision"]["items"][0];
    let held: Vec<u64> = north["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["held"].as_u64().unwrap())
        .collect();
    assert_eq!(held, vec![1, 0, 1]);
    assert_eq!(north["months_met"], 2);

    // No report carries record content or case references.
    for body in [&report, &breaches, &groups] {
        let text = body.to_string();
        assert!(!text.contains("Caseload of 18"), "{text}");
        assert!(!text.contains("CH-204518"), "{text}");
    }
}

async fn rpt1_organisation_report_and_a_team_without_group_supervision(app: TestApp) {
    let o = history(&app).await;
    // Administrators and auditors only.
    app.get(
        &format!("/api/v1/reports/compliance?{PERIOD}"),
        &o.manager.1,
    )
    .await
    .problem(403, "forbidden");
    let report = app
        .get(
            &format!("/api/v1/reports/compliance?{PERIOD}&section=group_supervision"),
            &o.auditor,
        )
        .await
        .ok(200);
    assert_eq!(report["scope"]["kind"], "organisation");
    // Staff under supervision: head, both managers, A to D. The administrator and auditor
    // accounts, managed by nobody, are not staff being supervised.
    assert_eq!(report["summary"]["supervisees"], 7);
    assert_eq!(report["summary"]["teams"], 2);
    let teams = report["group_supervision"]["items"].as_array().unwrap();
    let south = teams.iter().find(|t| t["team_id"] == o.south).unwrap();
    assert_eq!(south["months_met"], 0);
    assert!(south["months"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["met"] == false));
    // Made today, the team's first group session is not due yet.
    assert_eq!(south["status"]["status"], "no_baseline");
    let admin = app
        .get(&format!("/api/v1/reports/compliance?{PERIOD}"), &o.admin)
        .await
        .ok(200);
    assert_eq!(admin["summary"]["breaches"], report["summary"]["breaches"]);
    // Reading a report is audited.
    let audit = app
        .get("/api/v1/audit?action=report.read", &o.auditor)
        .await
        .ok(200);
    assert!(audit["total"].as_i64().unwrap() >= 2, "{audit}");
}

/// Runs SQL straight on the test database, to date what the API stamps with the present.
async fn sql(app: &TestApp, statement: String) {
    app.db
        .write(move |conn| {
            conn.batch_execute(&statement)
                .map_err(supervision::store::StoreError::from)
        })
        .await
        .unwrap();
}

/// The organisation-wide report reads everyone's sessions in a few passes where a team's
/// report seeks each agreement; both must give every supervisee the same line. History, in
/// 2026 (no holidays in England and Wales in September and October):
/// - A: held 18 August and 8 to 11 September, nothing since, so the organisation pass finds
///   A's last session by its fallback seek. Records: one sent on its due day, one the day
///   after it (late), one unsent past its due day (late), one not due yet.
/// - B: nothing held at all.
/// - C: held 18 August and 1 September; the session of 29 September was missed; held again
///   20 October. 25 working days after 1 September is 6 October, so 20 October is a
///   breach 10 working days late, explained by the missed session.
async fn rpt1_organisation_and_team_lines_agree_and_late_records_count(app: TestApp) {
    let o = org(&app).await;
    let [ag_a, _, ag_c] = o.agreements.clone();
    let m = o.manager.0.clone();
    // A 1:1 of `agreement` on `date`, held or left booked.
    let one_to_one = |agreement: &str, person: &str, date: &str, held: bool| {
        let (agreement, person, date) = (agreement.to_string(), person.to_string(), d(date));
        let (app, m) = (&app, &m);
        async move {
            session(
                app,
                Some(&agreement),
                None,
                m,
                Some(&person),
                at(date),
                held,
            )
            .await
        }
    };
    // Both were seen on 18 August, so the period opens within the limit.
    one_to_one(&ag_a, &o.a.0, "2026-08-18", true).await;
    one_to_one(&ag_c, &o.c.0, "2026-08-18", true).await;
    let mut records = Vec::new();
    for date in ["2026-09-08", "2026-09-09", "2026-09-10", "2026-09-11"] {
        let opened = held_with_record(&app, &o, &ag_a, d(date)).await;
        records.push(opened["record"]["id"].as_str().unwrap().to_string());
    }
    // Sent on the due day; sent the day after it (9 September's is due on the 10th); never
    // sent; not yet due.
    let due_later = today() + Duration::days(7);
    for (record, change) in records.iter().zip([
        "first_sent_on = due_by".to_string(),
        "first_sent_on = '2026-09-11'".to_string(),
        "first_sent_on = NULL".to_string(),
        format!("due_by = '{due_later}'"),
    ]) {
        sql(
            &app,
            format!("UPDATE records SET {change} WHERE id = '{record}'"),
        )
        .await;
    }

    one_to_one(&ag_c, &o.c.0, "2026-09-01", true).await;
    let missed = one_to_one(&ag_c, &o.c.0, "2026-09-29", false).await;
    let etag = etag_of(&app, &o.manager.1, &missed).await;
    post_if(
        &app,
        &format!("/api/v1/sessions/{missed}/missed"),
        &o.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    one_to_one(&ag_c, &o.c.0, "2026-10-20", true).await;
    // The mark keeps when the missed session was planned for.
    let history = app
        .get(&format!("/api/v1/sessions/{missed}/history"), &o.manager.1)
        .await
        .ok(200);
    let mark = history.as_array().unwrap().last().unwrap();
    assert_eq!(mark["action"], "missed");
    assert_eq!(mark["from_starts_at"], "2026-09-29T10:00:00Z");

    let period = "from=2026-09-01&to=2026-10-31&limit=200";
    let team = app
        .get(
            &format!("/api/v1/reports/compliance?team_id={}&{period}", o.north),
            &o.admin,
        )
        .await
        .ok(200);
    let everyone = app
        .get(&format!("/api/v1/reports/compliance?{period}"), &o.auditor)
        .await
        .ok(200);
    for person in [&o.a.0, &o.b.0, &o.c.0] {
        assert_eq!(
            line(&team, person),
            line(&everyone, person),
            "FREQ-4 for {person}"
        );
    }
    let a = line(&everyone, &o.a.0);
    assert_eq!(a["last_held"], "2026-09-11");
    assert_eq!(a["status"], "overdue");
    // REC-5: late is sent after the due day, or unsent past it.
    assert_eq!(a["records"], json!({"held": 4, "late": 2, "unsigned": 4}));
    let b = line(&everyone, &o.b.0);
    assert_eq!(b["last_held"], Value::Null);
    let c = line(&everyone, &o.c.0);
    assert_eq!(c["last_held"], "2026-10-20");
    assert_eq!(c["breaches"], 1);

    let breaches = app
        .get(
            &format!("/api/v1/reports/compliance?{period}&section=breaches"),
            &o.auditor,
        )
        .await
        .ok(200);
    let c_breach = breaches["breaches"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["person_id"] == o.c.0)
        .unwrap();
    assert_eq!(c_breach["after_held"], "2026-09-01");
    assert_eq!(c_breach["due_by"], "2026-10-06");
    assert_eq!(c_breach["held_on"], "2026-10-20");
    assert_eq!(c_breach["working_days_late"], 10);
    assert_eq!(
        c_breach["reasons"],
        json!([{"kind": "missed", "session_id": missed}])
    );
}

async fn rpt1_only_those_who_may_see_a_team_or_caseload_see_its_report(app: TestApp) {
    let o = history(&app).await;
    let team_path = format!("/api/v1/reports/compliance?team_id={}&{PERIOD}", o.north);
    // A manager of another team, and a practitioner, are told nothing exists.
    app.get(&team_path, &o.other_manager.1)
        .await
        .problem(404, "not-found");
    app.get(&team_path, &o.a.1).await.problem(404, "not-found");
    assert_eq!(
        app.get(&team_path, &o.auditor).await.ok(200)["summary"]["supervisees"],
        3
    );
    // The supervisor's caseload: the supervisor, the head above them, administrators.
    let caseload = format!(
        "/api/v1/reports/compliance?supervisor_id={}&{PERIOD}",
        o.manager.0
    );
    for token in [&o.manager.1, &o.head.1, &o.admin] {
        let report = app.get(&caseload, token).await.ok(200);
        assert_eq!(report["scope"]["kind"], "supervisor");
        assert_eq!(report["summary"]["supervisees"], 3);
    }
    app.get(&caseload, &o.other_manager.1)
        .await
        .problem(404, "not-found");
    app.get(&caseload, &o.b.1).await.problem(404, "not-found");
}

async fn rpt1_csv_exports_each_section(app: TestApp) {
    let o = history(&app).await;
    let path = format!("/api/v1/reports/compliance?team_id={}&{PERIOD}", o.north);
    let csv = app
        .call(
            TestRequest::get()
                .uri(&path)
                .insert_header(bearer(&o.manager.1))
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert_eq!(csv.status.as_u16(), 200);
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(csv
        .header("content-disposition")
        .unwrap()
        .contains("compliance-supervisees-2026-04-01-2026-06-30.csv"));
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    let rows: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(rows[0].starts_with("person_id,display_name,staff_category,team_id,status,due_by"));
    // C, overdue, first; the columns line up with the header.
    let c: Vec<&str> = rows[1].split(',').collect();
    assert_eq!(c[0], o.c.0);
    assert_eq!(c[4], "overdue");
    assert_eq!(c[6], "2026-03-25");
    assert_eq!(c.len(), rows[0].split(',').count());

    let breaches = app
        .get(&format!("{path}&section=breaches&format=csv"), &o.manager.1)
        .await;
    let text = String::from_utf8(breaches.body.to_vec()).unwrap();
    assert_eq!(text.trim_end().split("\r\n").count(), 3, "{text}");
    assert!(
        text.contains("2026-04-08,2026-04-14,4,true,cancelled: sickness"),
        "{text}"
    );
    assert!(
        text.contains("2026-05-01,,40,false,nothing booked"),
        "{text}"
    );
    let cancellations = app
        .get(
            &format!("{path}&section=cancellations&format=csv"),
            &o.manager.1,
        )
        .await;
    let text = String::from_utf8(cancellations.body.to_vec()).unwrap();
    assert!(text.starts_with("reason,count\r\n"));
    assert!(text.contains("annual_leave,1\r\n"));
    let groups = app
        .get(
            &format!("{path}&section=group_supervision&format=csv"),
            &o.manager.1,
        )
        .await;
    let text = String::from_utf8(groups.body.to_vec()).unwrap();
    assert!(text.contains(",North,2026-05,0,false\r\n"), "{text}");
}

async fn rpt1_bad_periods_and_scopes_are_refused_naming_the_field(app: TestApp) {
    let o = org(&app).await;
    let base = "/api/v1/reports/compliance";
    let field = |body: Value| body["errors"][0]["field"].as_str().unwrap().to_string();
    let backwards = app
        .get(&format!("{base}?from=2026-06-01&to=2026-05-01"), &o.admin)
        .await
        .problem(422, "validation-failed");
    assert_eq!(field(backwards), "to");
    let long = app
        .get(&format!("{base}?from=2020-01-01&to=2026-05-01"), &o.admin)
        .await
        .problem(422, "validation-failed");
    assert_eq!(field(long), "to");
    let both = app
        .get(
            &format!("{base}?team_id={}&supervisor_id={}", o.north, o.manager.0),
            &o.admin,
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(field(both), "supervisor_id");
    app.get(&format!("{base}?limit=0"), &o.admin)
        .await
        .problem(422, "validation-failed");
    app.get(&format!("{base}?colour=red"), &o.admin)
        .await
        .problem(400, "malformed-request");
    app.get(&format!("{base}?from=yesterday"), &o.admin)
        .await
        .problem(400, "malformed-request");
    app.get(&format!("{base}?team_id=no-such-team"), &o.admin)
        .await
        .problem(404, "not-found");
    app.get(base, "not-a-token")
        .await
        .problem(401, "unauthenticated");
}

async fn grp1_group_records_attendance_and_status(app: TestApp) {
    let o = org(&app).await;
    let m = o.manager.0.clone();
    let last_month = today() - Duration::days(35);
    let past = session(&app, None, Some(&o.north), &m, None, at(last_month), false).await;
    let path = format!("/api/v1/group-sessions/{past}/record");
    let body = json!({"notes": "Two families.", "case_references": ["CH-204518"], "attendees": [o.a.0, o.b.0]});
    // Not held yet.
    put_if(&app, &path, &o.manager.1, "\"0\"", body.clone())
        .await
        .problem(409, "conflict");
    let etag = etag_of(&app, &o.manager.1, &past).await;
    post_if(
        &app,
        &format!("/api/v1/sessions/{past}/held"),
        &o.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    // A member may read it but not write it; a stranger sees nothing.
    put_if(&app, &path, &o.c.1, "\"0\"", body.clone())
        .await
        .problem(403, "forbidden");
    app.get(&path, &o.other_manager.1)
        .await
        .problem(404, "not-found");
    let first = app.get(&path, &o.c.1).await;
    assert_eq!(first.header("etag").as_deref(), Some("\"0\""));
    assert_eq!(first.ok(200)["attendees"], json!([]));
    // Case references only, and real people.
    let bad = put_if(
        &app,
        &path,
        &o.manager.1,
        "\"0\"",
        json!({"notes": "x", "case_references": ["Jane Smith"], "attendees": ["nobody"]}),
    )
    .await
    .problem(422, "validation-failed");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["case_references[0]", "attendees[0]"]);
    let written = put_if(&app, &path, &o.manager.1, "\"0\"", body.clone()).await;
    assert_eq!(written.header("etag").as_deref(), Some("\"1\""));
    let record = written.ok(200);
    assert_eq!(record["attendees"].as_array().unwrap().len(), 2);
    assert_eq!(record["facilitator_id"], m);
    // A second writer with the old ETag is refused and shown the record as it is.
    let stale = put_if(
        &app,
        &path,
        &o.manager.1,
        "\"0\"",
        json!({"notes": "Other", "attendees": []}),
    )
    .await
    .problem(412, "stale-version");
    assert_eq!(stale["current"]["notes"], "Two families.");
    app.call(
        TestRequest::put()
            .uri(&path)
            .insert_header(bearer(&o.manager.1))
            .set_json(body.clone()),
    )
    .await
    .problem(428, "if-match-required");

    // The team held one last month and has none booked: its status and months show it.
    let status = app
        .get(
            &format!("/api/v1/teams/{}/group-supervision-status", o.north),
            &o.a.1,
        )
        .await
        .ok(200);
    assert_eq!(status["status"]["last_held"], last_month.to_string());
    assert_eq!(status["status"]["interval"], json!({"every_months": 1}));
    assert_eq!(status["months"].as_array().unwrap().len(), 12);
    let held: u64 = status["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["held"].as_u64().unwrap())
        .sum();
    assert_eq!(held, 1);
    app.get(
        &format!("/api/v1/teams/{}/group-supervision-status", o.south),
        &o.a.1,
    )
    .await
    .problem(404, "not-found");
    let south = app
        .get(
            &format!("/api/v1/teams/{}/group-supervision-status", o.south),
            &o.other_manager.1,
        )
        .await
        .ok(200);
    assert_eq!(south["status"]["last_held"], Value::Null);

    // GRP-1: attendance counts for the person's group supervision, not their 1:1 limit.
    let mine = app
        .get(
            &format!("/api/v1/people/{}/group-supervision", o.a.0),
            &o.a.1,
        )
        .await
        .ok(200);
    assert_eq!(mine["attended"], 1);
    assert_eq!(mine["last_attended"], last_month.to_string());
    let c = app
        .get(
            &format!("/api/v1/people/{}/group-supervision", o.c.0),
            &o.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(c["attended"], 0);
    app.get(
        &format!("/api/v1/people/{}/group-supervision", o.a.0),
        &o.c.1,
    )
    .await
    .problem(404, "not-found");
    let one_to_one = app
        .get("/api/v1/me/supervision-status", &o.a.1)
        .await
        .ok(200);
    assert_eq!(one_to_one["last_held"], Value::Null, "{one_to_one}");
}

/// RPT-1 at the boundary: each supervisee's status was `overdue` on the morning of a session
/// held a day after its due date, so the report lists that day as a breach.
async fn rpt1_a_session_held_the_day_after_due_by_is_a_breach(app: TestApp) {
    let o = org(&app).await;
    let [ag_a, ag_b, _] = o.agreements.clone();
    let m = o.manager.0.clone();
    let student = app
        .person(
            &o.admin,
            json!({"email": "st@test.example", "display_name": "st", "staff_category": "student",
                   "team_id": o.north, "placement_start": "2025-11-24", "placement_end": "2026-06-30"}),
        )
        .await;
    app.manage(&o.admin, &student.0, &m).await;
    let mut weekly = agreement_body(&student.0, d("2025-11-24"));
    weekly["frequency"] = json!({"max_calendar_days": 7});
    let ag_s = signed_agreement_of(&app, &o.manager, &student, weekly).await;
    // A: due by Tuesday 9 December (25 working days after 4 November), seen Wednesday 10th.
    // B: due by Friday 12 December, seen Monday 15th.
    // The student, weekly: due 8, 16 and 24 December, seen 9, 17 and 25 December.
    for (agreement, person, dates) in [
        (&ag_a, &o.a.0, &["2025-11-04", "2025-12-10"][..]),
        (&ag_b, &o.b.0, &["2025-11-07", "2025-12-15"][..]),
        (
            &ag_s,
            &student.0,
            &["2025-12-01", "2025-12-09", "2025-12-17", "2025-12-25"][..],
        ),
    ] {
        for date in dates {
            session(
                &app,
                Some(agreement),
                None,
                &m,
                Some(person),
                at(d(date)),
                true,
            )
            .await;
        }
    }
    let report = app
        .get(
            &format!(
                "/api/v1/reports/compliance?team_id={}&from=2025-12-01&to=2025-12-31&section=breaches",
                o.north
            ),
            &o.manager.1,
        )
        .await
        .ok(200);
    let of = |person: &str| -> Vec<(String, String, i64)> {
        report["breaches"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["person_id"] == person)
            .map(|b| {
                (
                    b["due_by"].as_str().unwrap().to_string(),
                    b["held_on"].as_str().unwrap().to_string(),
                    b["working_days_late"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let late = |due: &str, held: &str, days: i64| (due.to_string(), held.to_string(), days);
    assert_eq!(of(&o.a.0), vec![late("2025-12-09", "2025-12-10", 1)]);
    assert_eq!(of(&o.b.0), vec![late("2025-12-12", "2025-12-15", 1)]);
    // 25 December is a bank holiday: late by a day, none of it working.
    assert_eq!(
        of(&student.0),
        vec![
            late("2025-12-08", "2025-12-09", 1),
            late("2025-12-16", "2025-12-17", 1),
            late("2025-12-24", "2025-12-25", 0),
        ]
    );
}

/// RPT-1 and FREQ-4 agree through the store: for a few generated histories (one interval
/// kind each), the days the status (computed by the domain each morning) read `overdue` are
/// exactly the days of the breaches the report lists. The domain proptest of the same name
/// covers many more histories; this checks the store's look-back and local dates.
async fn rpt1_sampled_histories_report_exactly_the_overdue_days(app: TestApp) {
    use proptest::strategy::{Strategy, ValueTree};
    use supervision::domain::calendar::{Calendar, Region};
    use supervision::domain::people::StaffCategory;
    use supervision::domain::policy::{shipped_profile, PersonDates};
    use supervision::domain::scheduling::Status;
    use supervision::domain::supervision::{report, Facts};

    let o = org(&app).await;
    let m = o.manager.0.clone();
    let starts = d("2025-09-01");
    let (from, to) = (d("2026-01-01"), d("2026-09-30"));
    let calendar = Calendar::new(Region::EnglandAndWales, &[]);
    let profile = shipped_profile("default").unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    // Gaps around each category's interval: 25 working days, 7 days, 2 months, and gaps
    // longer than the report's look-back.
    let cases = [
        ("social_worker", 20u64..50),
        ("student", 3..12),
        ("non_operational_staff", 30..90),
        ("social_worker", 60..170),
    ];
    let mut expected = Vec::new();
    for (i, (category, gaps)) in cases.into_iter().enumerate() {
        let mut fields = json!({"email": format!("h{i}@test.example"), "display_name": format!("h{i}"),
            "staff_category": category, "team_id": o.north, "employment_start": "2020-01-06"});
        if category == "student" {
            fields["placement_start"] = json!(starts);
            fields["placement_end"] = json!("2027-06-30");
        }
        let person = app.person(&o.admin, fields).await;
        app.manage(&o.admin, &person.0, &m).await;
        let mut terms = agreement_body(&person.0, starts);
        if category == "student" {
            terms["frequency"] = json!({"max_calendar_days": 7});
        }
        let agreement = signed_agreement_of(&app, &o.manager, &person, terms).await;
        // Each planned session held, or cancelled (one in five), until the end of October.
        let steps = proptest::collection::vec((gaps, proptest::bool::weighted(0.8)), 150)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut on = starts;
        let mut held = Vec::new();
        for (gap, was_held) in steps {
            on += Duration::days(gap as i64);
            if on > d("2026-10-31") {
                break;
            }
            let id = session(
                &app,
                Some(&agreement),
                None,
                &m,
                Some(&person.0),
                at(on),
                was_held,
            )
            .await;
            if was_held {
                held.push(on);
            } else {
                cancel(&app, &id, &m, ChangeReason::Sickness, on).await;
            }
        }
        let facts = Facts {
            category: serde_json::from_value::<StaffCategory>(json!(category)).unwrap(),
            dates: PersonDates {
                employment_start: Some(d("2020-01-06")),
                placement_start: (category == "student").then_some(starts),
                ..PersonDates::default()
            },
            override_interval: None,
            baseline: starts,
            last_held: None,
            next_booked: None,
        };
        let overdue: Vec<NaiveDate> = from
            .iter_days()
            .take_while(|day| *day <= to)
            .filter(|day| {
                let morning = Facts {
                    last_held: held.iter().copied().filter(|h| h < day).max(),
                    ..facts.clone()
                };
                report(&calendar, &profile, &morning, *day).unwrap().status == Status::Overdue
            })
            .collect();
        expected.push((person.0, overdue));
    }
    let body = app
        .get(
            &format!(
                "/api/v1/reports/compliance?team_id={}&from={from}&to={to}&section=breaches&limit=200",
                o.north
            ),
            &o.manager.1,
        )
        .await
        .ok(200);
    let items = body["breaches"]["items"].as_array().unwrap();
    assert!(items.len() < 200, "one page holds them all");
    // The histories were late at times, or there is nothing to compare.
    assert!(expected.iter().all(|(_, overdue)| !overdue.is_empty()));
    let day = |v: &Value| v.as_str().map(d);
    for (person, overdue) in expected {
        let reported: Vec<NaiveDate> = items
            .iter()
            .filter(|b| b["person_id"] == person.as_str())
            .flat_map(|b| {
                let first = (day(&b["due_by"]).unwrap() + Duration::days(1)).max(from);
                let last = day(&b["held_on"]).unwrap_or(to);
                first.iter_days().take_while(move |d| *d <= last)
            })
            .collect();
        assert_eq!(reported, overdue, "{person}: {body}");
    }
}

crate::on_both_backends!(
    rpt1_team_report_figures_match_the_history,
    rpt1_organisation_report_and_a_team_without_group_supervision,
    rpt1_organisation_and_team_lines_agree_and_late_records_count,
    rpt1_only_those_who_may_see_a_team_or_caseload_see_its_report,
    rpt1_csv_exports_each_section,
    rpt1_bad_periods_and_scopes_are_refused_naming_the_field,
    grp1_group_records_attendance_and_status,
    rpt1_a_session_held_the_day_after_due_by_is_a_breach,
    rpt1_sampled_histories_report_exactly_the_overdue_days,
);
