//! ACC-1: sign-in, tokens, refresh rotation, rate limits, one-time passwords.

use actix_web::test::TestRequest;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::{TestApp, ADMIN_EMAIL, PASSWORD, SECRET};
use supervision::auth::password;
use supervision::auth::tokens::Claims;
use supervision::domain::people::StaffCategory;
use supervision::store::people::{self, NewPerson};
use supervision::store::seed;

async fn acc1_login_returns_tokens_and_me_works(app: TestApp) {
    let admin = app.admin().await;
    let (id, _) = app.worker(&admin, "ann").await;
    let tokens = app.login_as("ANN@test.example", PASSWORD).await.ok(200);
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["person_id"], id.as_str());
    assert_eq!(tokens["must_change_password"], false);
    assert!(tokens["refresh_token"].as_str().unwrap().len() >= 40);
    let me = app
        .get("/api/v1/me", tokens["access_token"].as_str().unwrap())
        .await;
    let body = me.ok(200);
    assert_eq!(body["email"], "ann@test.example");
    assert_eq!(
        me.header("etag").as_deref(),
        Some("\"2\""),
        "version 2 after the password change"
    );
}

async fn acc1_wrong_password_and_unknown_account_are_the_same_401(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    let wrong = app.login_as("ann@test.example", "not the password").await;
    let unknown = app
        .login_as("nobody@test.example", "not the password")
        .await;
    let a = wrong.problem(401, "unauthenticated");
    let b = unknown.problem(401, "unauthenticated");
    assert_eq!(a["detail"], b["detail"], "no hint which accounts exist");
    assert_eq!(wrong.header("www-authenticate").as_deref(), Some("Bearer"));
}

async fn acc1_inactive_people_cannot_sign_in_or_refresh(app: TestApp) {
    let admin = app.admin().await;
    let (id, _) = app.worker(&admin, "ann").await;
    let tokens = app.login_as("ann@test.example", PASSWORD).await.ok(200);
    let person = app.get(&format!("/api/v1/people/{id}"), &admin).await;
    let etag = person.header("etag").unwrap();
    app.patch(
        &format!("/api/v1/people/{id}"),
        &admin,
        &etag,
        json!({"active": false}),
    )
    .await
    .ok(200);
    app.login_as("ann@test.example", PASSWORD)
        .await
        .problem(401, "unauthenticated");
    app.post(
        "/api/v1/auth/refresh",
        "",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .problem(401, "unauthenticated");
}

fn claims(sub: &str) -> Claims {
    let now = Utc::now().timestamp();
    Claims {
        sub: sub.into(),
        iss: "supervision".into(),
        aud: "supervision-api".into(),
        iat: now,
        exp: now + 600,
        nbf: None,
        ep: 0,
    }
}

async fn acc1_expired_tampered_foreign_and_wrong_algorithm_tokens_are_401(app: TestApp) {
    let admin = app.admin().await;
    let me = app.get("/api/v1/me", &admin).await.ok(200);
    let id = me["id"].as_str().unwrap();

    let mut expired = claims(id);
    expired.iat -= 7200;
    expired.exp -= 7200;
    let body = app
        .get("/api/v1/me", &app.state.tokens.sign(&expired))
        .await
        .problem(401, "unauthenticated");
    assert!(body["detail"].as_str().unwrap().contains("expired"));

    let mut tampered = admin.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    app.get("/api/v1/me", &tampered)
        .await
        .problem(401, "unauthenticated");

    let mut foreign = claims(id);
    foreign.aud = "another-service".into();
    app.get("/api/v1/me", &app.state.tokens.sign(&foreign))
        .await
        .problem(401, "unauthenticated");
    let mut issuer = claims(id);
    issuer.iss = "someone-else".into();
    app.get("/api/v1/me", &app.state.tokens.sign(&issuer))
        .await
        .problem(401, "unauthenticated");

    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims(id),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    app.get("/api/v1/me", &hs512)
        .await
        .problem(401, "unauthenticated");

    // An unsigned token (`alg: none`) with the same claims.
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&serde_json::to_value(claims(id)).unwrap())
    );
    app.get("/api/v1/me", &unsigned)
        .await
        .problem(401, "unauthenticated");

    app.call(TestRequest::get().uri("/api/v1/me"))
        .await
        .problem(401, "unauthenticated");
    app.call(
        TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(("Authorization", "Basic YTpi")),
    )
    .await
    .problem(401, "unauthenticated");
}

async fn acc1_refresh_rotates_and_reuse_revokes_the_family(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    let first = app.login_as("ann@test.example", PASSWORD).await.ok(200);
    let second = app
        .post(
            "/api/v1/auth/refresh",
            "",
            json!({"refresh_token": first["refresh_token"]}),
        )
        .await
        .ok(200);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    app.get("/api/v1/me", second["access_token"].as_str().unwrap())
        .await
        .ok(200);

    // The spent token comes back: someone copied it. Both tokens of the family die.
    app.post(
        "/api/v1/auth/refresh",
        "",
        json!({"refresh_token": first["refresh_token"]}),
    )
    .await
    .problem(401, "unauthenticated");
    app.post(
        "/api/v1/auth/refresh",
        "",
        json!({"refresh_token": second["refresh_token"]}),
    )
    .await
    .problem(401, "unauthenticated");

    // Another sign-in (another device) is a separate family and still works.
    let other = app.login_as("ann@test.example", PASSWORD).await.ok(200);
    app.post(
        "/api/v1/auth/refresh",
        "",
        json!({"refresh_token": other["refresh_token"]}),
    )
    .await
    .ok(200);
    let audit = app
        .get(
            "/api/v1/audit?action=auth.refresh_reuse",
            &auditor(&app, &admin).await,
        )
        .await
        .ok(200);
    assert_eq!(audit["total"], 1);
}

async fn auditor(app: &TestApp, admin: &str) -> String {
    app.person(admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await
        .1
}

async fn acc1_logout_revokes_the_refresh_token(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    let tokens = app.login_as("ann@test.example", PASSWORD).await.ok(200);
    app.post(
        "/api/v1/auth/logout",
        "",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .ok(204);
    app.post(
        "/api/v1/auth/refresh",
        "",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .problem(401, "unauthenticated");
    // Logging out with an unknown token says nothing about it.
    app.post(
        "/api/v1/auth/logout",
        "",
        json!({"refresh_token": "nonsense"}),
    )
    .await
    .ok(204);
}

async fn acc1_failed_logins_are_limited_per_account(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    for _ in 0..3 {
        app.login_as("ann@test.example", "wrong password!")
            .await
            .problem(401, "unauthenticated");
    }
    // Even the right password is refused now, from any address.
    let limited = app
        .call_from(
            TestRequest::post()
                .uri("/api/v1/auth/login")
                .set_json(json!({"email": "ann@test.example", "password": PASSWORD})),
            "10.9.8.7:5000",
        )
        .await;
    limited.problem(429, "rate-limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Other accounts are not affected.
    app.login_as(ADMIN_EMAIL, PASSWORD).await.ok(200);
}

async fn acc1_attempts_are_limited_per_address(app: TestApp) {
    let login = |email: String| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"email": email, "password": "whatever at all"}))
    };
    for i in 0..25 {
        app.call_from(login(format!("guess{i}@test.example")), "192.0.2.1:1000")
            .await
            .problem(401, "unauthenticated");
    }
    let limited = app
        .call_from(login("guess99@test.example".into()), "192.0.2.1:1001")
        .await;
    limited.problem(429, "rate-limited");
    assert!(limited.header("retry-after").is_some());
    app.call_from(login("guess99@test.example".into()), "192.0.2.2:1000")
        .await
        .problem(401, "unauthenticated");
}

async fn acc1_address_limit_counts_failures_only(mut app: TestApp) {
    app.configure(|settings| settings.login_max_attempts_per_address = 3);
    // A whole office signs in from one address: 31 people, far above the limit.
    let hash = password::hash(PASSWORD);
    app.db
        .write(move |conn| {
            for n in 0..31 {
                people::insert(
                    conn,
                    NewPerson {
                        email: format!("office{n}@test.example"),
                        display_name: format!("Office {n}"),
                        staff_category: StaffCategory::SocialWorker,
                        team_id: None,
                        employment_start: None,
                        asye_start: None,
                        placement_start: None,
                        placement_end: None,
                        time_zone: "Europe/London".into(),
                        is_admin: false,
                        is_auditor: false,
                        password_hash: hash.clone(),
                        must_change_password: false,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let login = |email: String, password: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"email": email, "password": password}))
    };
    for n in 0..31 {
        app.call_from(
            login(format!("office{n}@test.example"), PASSWORD),
            "192.0.2.9:1000",
        )
        .await
        .ok(200);
    }
    // Failures still count against the address, whoever they name.
    for n in 0..3 {
        app.call_from(
            login(format!("guess{n}@test.example"), "wrong password!"),
            "192.0.2.9:1000",
        )
        .await
        .problem(401, "unauthenticated");
    }
    app.call_from(
        login("office0@test.example".into(), PASSWORD),
        "192.0.2.9:1000",
    )
    .await
    .problem(429, "rate-limited");
}

async fn acc1_one_time_password_must_be_changed_before_anything_else(app: TestApp) {
    let (email, one_time) = seed::bootstrap_admin(&app.db, "first@test.example")
        .unwrap()
        .unwrap();
    // A second start finds the administrator and creates nothing.
    assert!(seed::bootstrap_admin(&app.db, "first@test.example")
        .unwrap()
        .is_none());
    let tokens = app.login_as(&email, &one_time).await.ok(200);
    assert_eq!(tokens["must_change_password"], true);
    let token = tokens["access_token"].as_str().unwrap();
    app.get("/api/v1/people", token)
        .await
        .problem(403, "password-change-required");
    app.get("/api/v1/me", token).await.ok(200);
    let body = app
        .post(
            "/api/v1/me/password",
            token,
            json!({"current_password": "wrong", "new_password": PASSWORD}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "current_password");
    let body = app
        .post(
            "/api/v1/me/password",
            token,
            json!({"current_password": one_time, "new_password": "short"}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "new_password");
    let changed = app
        .post(
            "/api/v1/me/password",
            token,
            json!({"current_password": one_time, "new_password": PASSWORD}),
        )
        .await
        .ok(200);
    assert_eq!(changed["must_change_password"], false);
    app.get("/api/v1/people", changed["access_token"].as_str().unwrap())
        .await
        .ok(200);
    // The old password is gone, and the sign-in from before the change is signed out.
    app.login_as(&email, &one_time)
        .await
        .problem(401, "unauthenticated");
    app.post(
        "/api/v1/auth/refresh",
        "",
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .problem(401, "unauthenticated");
}

async fn me_can_change_name_and_time_zone_with_if_match(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    let etag = app.get("/api/v1/me", &ann).await.header("etag").unwrap();
    let body = app
        .patch("/api/v1/me", &ann, &etag, json!({"time_zone": "Mars/Base"}))
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "time_zone");
    let updated = app
        .patch(
            "/api/v1/me",
            &ann,
            &etag,
            json!({"display_name": "Ann Smith", "time_zone": "Europe/Belfast"}),
        )
        .await
        .ok(200);
    assert_eq!(updated["display_name"], "Ann Smith");
    assert_eq!(updated["time_zone"], "Europe/Belfast");
    app.patch("/api/v1/me", &ann, &etag, json!({"display_name": "Stale"}))
        .await
        .problem(412, "stale-version");
}

/// Makes a person an administrator or auditor, or takes it away, as an administrator does.
async fn set_flags(app: &TestApp, admin: &str, id: &str, flags: Value) {
    let etag = app
        .get(&format!("/api/v1/people/{id}"), admin)
        .await
        .header("etag")
        .unwrap();
    app.patch(&format!("/api/v1/people/{id}"), admin, &etag, flags)
        .await
        .ok(200);
}

async fn acc1_deactivation_bites_on_the_next_request(app: TestApp) {
    let admin = app.admin().await;
    let (id, ann) = app.worker(&admin, "ann").await;
    app.get("/api/v1/me", &ann).await.ok(200);
    set_flags(&app, &admin, &id, json!({"active": false})).await;
    // The access token has minutes to run; it is refused now, for reads and writes.
    let body = app
        .get("/api/v1/me", &ann)
        .await
        .problem(401, "unauthenticated");
    assert!(body["detail"].as_str().unwrap().contains("revoked"));
    app.post("/api/v1/me/calendar-feed", &ann, json!({}))
        .await
        .problem(401, "unauthenticated");
}

async fn acc1_roles_are_read_fresh_not_from_the_token(app: TestApp) {
    let admin = app.admin().await;
    let (id, ann) = app.worker(&admin, "ann").await;
    let team = json!({"name": "Team by Ann"});
    app.post("/api/v1/teams", &ann, team.clone())
        .await
        .problem(403, "forbidden");
    set_flags(
        &app,
        &admin,
        &id,
        json!({"is_admin": true, "is_auditor": true}),
    )
    .await;
    // The same token now carries the new roles...
    app.post("/api/v1/teams", &ann, team).await.ok(201);
    app.get("/api/v1/audit", &ann).await.ok(200);
    // ...and loses them on the next request once they are removed.
    set_flags(
        &app,
        &admin,
        &id,
        json!({"is_admin": false, "is_auditor": false}),
    )
    .await;
    app.post("/api/v1/teams", &ann, json!({"name": "Another"}))
        .await
        .problem(403, "forbidden");
    app.get("/api/v1/audit", &ann)
        .await
        .problem(403, "forbidden");
}

async fn acc1_password_change_reset_and_sign_out_everywhere_end_older_tokens(app: TestApp) {
    let admin = app.admin().await;
    let (id, phone) = app.worker(&admin, "ann").await;
    let desk = app.login_as("ann@test.example", PASSWORD).await.ok(200);
    let desk_token = desk["access_token"].as_str().unwrap().to_string();

    // A password change from the desk: the phone's token and the desk's old one stop
    // working; the tokens the change returns work.
    let changed = app
        .post(
            "/api/v1/me/password",
            &desk_token,
            json!({"current_password": PASSWORD, "new_password": "another long enough password"}),
        )
        .await
        .ok(200);
    let fresh = changed["access_token"].as_str().unwrap().to_string();
    app.get("/api/v1/me", &phone)
        .await
        .problem(401, "unauthenticated");
    app.get("/api/v1/me", &desk_token)
        .await
        .problem(401, "unauthenticated");
    app.get("/api/v1/me", &fresh).await.ok(200);

    // An administrator's reset ends it too.
    app.post(
        &format!("/api/v1/people/{id}/password-reset"),
        &admin,
        json!({}),
    )
    .await
    .ok(200);
    app.get("/api/v1/me", &fresh)
        .await
        .problem(401, "unauthenticated");

    // Signing out everywhere ends every access and refresh token at once.
    let again = app.worker(&admin, "bob").await.1;
    let other = app.login_as("bob@test.example", PASSWORD).await.ok(200);
    app.post("/api/v1/auth/logout-everywhere", &again, json!({}))
        .await
        .ok(204);
    app.get("/api/v1/me", &again)
        .await
        .problem(401, "unauthenticated");
    app.get("/api/v1/me", other["access_token"].as_str().unwrap())
        .await
        .problem(401, "unauthenticated");
    app.post(
        "/api/v1/auth/refresh",
        "",
        json!({"refresh_token": other["refresh_token"]}),
    )
    .await
    .problem(401, "unauthenticated");
    // A new sign-in works again.
    let back = app.token("bob@test.example", PASSWORD).await;
    app.get("/api/v1/me", &back).await.ok(200);
}

async fn acc1_changes_bite_on_another_instance_within_seconds(app: TestApp) {
    let admin = app.admin().await;
    let (id, ann) = app.worker(&admin, "ann").await;
    let other = app.second_instance();
    app.get_on(&other, "/api/v1/me", &ann).await.ok(200);
    set_flags(&app, &admin, &id, json!({"active": false})).await;
    app.get("/api/v1/me", &ann)
        .await
        .problem(401, "unauthenticated");
    // The other instance trusts what it read for at most ACCESS_CHECK.
    tokio::time::sleep(supervision::http::ACCESS_CHECK).await;
    app.get_on(&other, "/api/v1/me", &ann)
        .await
        .problem(401, "unauthenticated");
}

async fn acc1_tokens_from_the_future_or_for_nobody_are_401(app: TestApp) {
    let admin = app.admin().await;
    let id = app.get("/api/v1/me", &admin).await.ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let now = Utc::now().timestamp();
    let mut early = claims(&id);
    early.nbf = Some(now + 600);
    app.get("/api/v1/me", &app.state.tokens.sign(&early))
        .await
        .problem(401, "unauthenticated");
    let mut issued_later = claims(&id);
    issued_later.iat = now + 600;
    issued_later.exp = now + 1200;
    app.get("/api/v1/me", &app.state.tokens.sign(&issued_later))
        .await
        .problem(401, "unauthenticated");
    // Well signed, but nobody has this id: not signed in, rather than "not found".
    let nobody = claims("019ab7c1-6f0e-7a52-9d3e-000000000000");
    app.get("/api/v1/me", &app.state.tokens.sign(&nobody))
        .await
        .problem(401, "unauthenticated");
    app.post(
        "/api/v1/teams",
        &app.state.tokens.sign(&nobody),
        json!({"name": "x"}),
    )
    .await
    .problem(401, "unauthenticated");
}

crate::on_both_backends!(
    acc1_deactivation_bites_on_the_next_request,
    acc1_roles_are_read_fresh_not_from_the_token,
    acc1_password_change_reset_and_sign_out_everywhere_end_older_tokens,
    acc1_changes_bite_on_another_instance_within_seconds,
    acc1_tokens_from_the_future_or_for_nobody_are_401,
    acc1_login_returns_tokens_and_me_works,
    acc1_wrong_password_and_unknown_account_are_the_same_401,
    acc1_inactive_people_cannot_sign_in_or_refresh,
    acc1_expired_tampered_foreign_and_wrong_algorithm_tokens_are_401,
    acc1_refresh_rotates_and_reuse_revokes_the_family,
    acc1_logout_revokes_the_refresh_token,
    acc1_failed_logins_are_limited_per_account,
    acc1_attempts_are_limited_per_address,
    acc1_address_limit_counts_failures_only,
    acc1_one_time_password_must_be_changed_before_anything_else,
    me_can_change_name_and_time_zone_with_if_match,
);
