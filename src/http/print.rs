//! Printable pages: a signed record (REC-4) and a reflective log export (REF-2): plain HTML with print styles, no scripts or
//! outside assets, every piece of text escaped. It shows the hashes so a paper copy can be
//! checked against the service.

use std::fmt::Write;

use crate::domain::records::{ActionOwner, CaseStatus};
use crate::domain::reflection::model;
use crate::http::views::reflections::EntryView;
use crate::store::records::{Addendum, Event, Record, Template, Version};

pub struct Printable<'a> {
    pub record: &'a Record,
    pub supervisor: &'a str,
    pub supervisee: &'a str,
    pub template: &'a Template,
    pub signed: &'a Version,
    pub events: &'a [Event],
    pub addenda: &'a [Addendum],
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn case_status(code: CaseStatus) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

const STYLE: &str = "body{font:11pt/1.45 Georgia,serif;max-width:46em;margin:2em auto;color:#111}\
h1{font-size:16pt;margin:0 0 .3em}h2{font-size:12pt;border-bottom:1px solid #999;margin:1.4em 0 .4em}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.25em .4em;text-align:left;vertical-align:top}\
.text{white-space:pre-wrap}.meta{color:#444}.hash{font:9pt monospace;word-break:break-all}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}section{break-inside:avoid}}";

/// The whole page.
pub fn record_page(p: &Printable<'_>) -> String {
    let r = p.record;
    let content = &p.signed.content;
    let mut html = String::with_capacity(8 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Supervision record {held}</title>\
<style>{STYLE}</style></head><body><h1>Record of supervision</h1>\
<p class=\"meta\">Session held on {held}. Supervisor: {sup}. Supervisee: {see}. Template: {tpl} (version {tv}).</p>",
        held = r.held_on,
        sup = esc(p.supervisor),
        see = esc(p.supervisee),
        tpl = esc(&p.template.name),
        tv = p.template.version,
    );
    for section in &p.template.sections {
        let text = content
            .sections
            .get(&section.key)
            .map(String::as_str)
            .unwrap_or("");
        let _ = write!(
            html,
            "<section><h2>{}</h2><div class=\"text\">{}</div></section>",
            esc(&section.title),
            esc(text)
        );
    }
    if !content.actions.is_empty() {
        html.push_str(
            "<section><h2>Actions</h2><table><tr><th>Action</th><th>Who</th><th>By</th></tr>",
        );
        for action in &content.actions {
            let who = match action.owner {
                ActionOwner::Supervisor => p.supervisor.to_string(),
                ActionOwner::Supervisee => p.supervisee.to_string(),
                ActionOwner::Other => action.owner_name.clone().unwrap_or_default(),
            };
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&action.description),
                esc(&who),
                action.due_on
            );
        }
        html.push_str("</table></section>");
    }
    for case in &content.case_discussions {
        let codes: Vec<String> = case.status_codes.iter().map(|c| case_status(*c)).collect();
        let _ = write!(
            html,
            "<section><h2>Case {}</h2><p class=\"meta\">Status: {}</p>\
<p><strong>What changed.</strong> <span class=\"text\">{}</span></p>\
<p><strong>Reflection.</strong> <span class=\"text\">{}</span></p>\
<p><strong>Management decision.</strong> <span class=\"text\">{}</span></p>",
            esc(&case.case_reference),
            esc(&codes.join(", ")),
            esc(&case.what_changed),
            esc(&case.reflection),
            esc(&case.management_decision)
        );
        for action in &case.actions {
            let _ = write!(
                html,
                "<p>&bull; {} (by {})</p>",
                esc(&action.action),
                action.by
            );
        }
        html.push_str("</section>");
    }
    html.push_str(
        "<section><h2>Sign-off</h2><table><tr><th>When (UTC)</th><th>What</th><th>Note</th></tr>",
    );
    for event in p.events {
        let who = if event.actor_id == r.supervisor_id {
            p.supervisor
        } else {
            p.supervisee
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{} by {}{}</td><td class=\"text\">{}</td></tr>",
            event.occurred_at.format("%Y-%m-%d %H:%M"),
            esc(&event.action.replace('_', " ")),
            esc(who),
            event
                .version_number
                .map(|n| format!(" (version {n})"))
                .unwrap_or_default(),
            esc(event.comment.as_deref().unwrap_or(""))
        );
    }
    let _ = write!(
        html,
        "</table><p>Signed version {} has hash <span class=\"hash\">{}</span>.</p></section>",
        p.signed.number,
        esc(&p.signed.content_hash)
    );
    for addendum in p.addenda {
        let _ = write!(
            html,
            "<section><h2>Addendum of {}</h2><div class=\"text\">{}</div><p class=\"meta\">{}. Hash <span class=\"hash\">{}</span></p></section>",
            addendum.created_at.format("%Y-%m-%d"),
            esc(&addendum.text),
            if addendum.countersigned_at.is_some() {
                "Countersigned"
            } else {
                "Awaiting countersignature"
            },
            esc(&addendum.content_hash)
        );
    }
    html.push_str("</body></html>");
    html
}

/// A reflective log as evidence for registration (REF-2, REF-3): each entry with its model's
/// section titles, CPD fields and supervisors' comments.
pub fn reflective_log_page(author: &str, entries: &[EntryView]) -> String {
    let mut html = String::with_capacity(4 * 1024 + entries.len() * 2 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Reflective log</title>\
<style>{STYLE}</style></head><body><h1>Reflective log of {}</h1><p class=\"meta\">{} entries.</p>",
        esc(author),
        entries.len()
    );
    for entry in entries {
        let _ = write!(
            html,
            "<section><h2>{} &middot; {}</h2><p class=\"meta\">Model: {}. Tags: {}.{}</p>",
            entry.entry_date,
            esc(&entry.title),
            esc(model(&entry.model).map_or(entry.model.as_str(), |m| m.name.as_str())),
            esc(&entry.tags.join(", ")),
            entry
                .case_reference
                .as_deref()
                .map(|r| format!(" Case {}.", esc(r)))
                .unwrap_or_default()
        );
        let titles = model(&entry.model)
            .map(|m| m.sections.as_slice())
            .unwrap_or(&[]);
        for (key, text) in &entry.sections {
            let title = titles
                .iter()
                .find(|s| &s.key == key)
                .map_or(key.as_str(), |s| s.title.as_str());
            let _ = write!(
                html,
                "<p><strong>{}.</strong> <span class=\"text\">{}</span></p>",
                esc(title),
                esc(text)
            );
        }
        if let Some(cpd) = &entry.cpd {
            let activity = serde_json::to_value(cpd.activity)
                .ok()
                .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                .unwrap_or_default();
            let _ = write!(
                html,
                "<table><tr><th>CPD activity</th><td>{}</td></tr><tr><th>Description</th><td class=\"text\">{}</td></tr>\
<tr><th>What I learnt</th><td class=\"text\">{}</td></tr><tr><th>Impact on practice</th><td class=\"text\">{}</td></tr>",
                esc(&activity),
                esc(&cpd.description),
                esc(&cpd.learning),
                esc(&cpd.impact)
            );
            if let Some(peer) = &cpd.peer_reflection {
                let _ = write!(
                    html,
                    "<tr><th>Peer reflection</th><td class=\"text\">With {}: {}</td></tr>",
                    esc(&peer.peer_name),
                    esc(&peer.discussion)
                );
            }
            html.push_str("</table>");
        }
        for comment in &entry.comments {
            let _ = write!(
                html,
                "<p class=\"meta\">Comment, {}: <span class=\"text\">{}</span></p>",
                comment.created_at.format("%Y-%m-%d"),
                esc(&comment.text)
            );
        }
        html.push_str("</section>");
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
