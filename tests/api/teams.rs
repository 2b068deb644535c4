//! Teams through the API.

use serde_json::json;

use crate::support::TestApp;

async fn teams_are_created_listed_renamed_and_unique(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    let created = app
        .post(
            "/api/v1/teams",
            &admin,
            json!({"name": "  Children in Care  "}),
        )
        .await;
    let team = created.ok(201);
    assert_eq!(team["name"], "Children in Care");
    let id = team["id"].as_str().unwrap();
    app.post("/api/v1/teams", &admin, json!({"name": "Children in Care"}))
        .await
        .problem(409, "conflict");
    app.post("/api/v1/teams", &admin, json!({"name": "Assessment"}))
        .await
        .ok(201);

    let listed = app.get("/api/v1/teams?limit=1", &ann).await.ok(200);
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["name"], "Assessment");
    let second = app
        .get("/api/v1/teams?limit=1&offset=1", &ann)
        .await
        .ok(200);
    assert_eq!(second["items"][0]["name"], "Children in Care");

    let path = format!("/api/v1/teams/{id}");
    let etag = app.get(&path, &ann).await.header("etag").unwrap();
    let renamed = app
        .patch(
            &path,
            &admin,
            &etag,
            json!({"name": "Children Looked After"}),
        )
        .await
        .ok(200);
    assert_eq!(renamed["version"], 2);
    let stale = app
        .patch(&path, &admin, &etag, json!({"active": false}))
        .await
        .problem(412, "stale-version");
    assert_eq!(stale["current"]["name"], "Children Looked After");
    let body = app
        .patch(&path, &admin, "\"2\"", json!({"name": ""}))
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "name");
    app.get("/api/v1/teams/unknown", &ann)
        .await
        .problem(404, "not-found");
}

crate::on_both_backends!(teams_are_created_listed_renamed_and_unique);
