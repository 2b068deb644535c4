//! REM-7: a person's sessions as an iCalendar feed (RFC 5545), so they appear in Outlook or a
//! phone's calendar. Only the text of the feed; its unguessable, revocable URL lives with the
//! API.

use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz, TzOffset};

/// One session as the feed shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across changes: the session id (the feed appends "@<host>").
    pub id: String,
    /// Bumped on every change (the session's version), so clients replace the old copy.
    pub sequence: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub cancelled: bool,
    pub updated_at: DateTime<Utc>,
}

const UTC_TIME: &str = "%Y%m%dT%H%M%SZ";
const LOCAL_TIME: &str = "%Y%m%dT%H%M%S";

/// The whole VCALENDAR. `host` makes UIDs globally unique ("<id>@<host>"); `name` is the
/// calendar's display name (X-WR-CALNAME); times are written in `zone` with TZID and a
/// VTIMEZONE describing that zone's actual transitions over the span of the events (so Outlook
/// and phones agree across the clock change); UTC (`Z`) when zone is UTC.
pub fn feed(name: &str, host: &str, zone: Tz, events: &[Event], now: DateTime<Utc>) -> String {
    let utc = matches!(
        zone,
        Tz::UTC | Tz::Etc__UTC | Tz::Etc__UCT | Tz::Etc__Universal | Tz::Etc__Zulu
    );
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Supervision//Supervision service//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", text(name)),
        format!("X-WR-TIMEZONE:{}", zone.name()),
    ];
    if !utc {
        vtimezone(&mut lines, zone, events, now);
    }
    let time = |property: &str, at: DateTime<Utc>| {
        if utc {
            format!("{property}:{}", at.format(UTC_TIME))
        } else {
            let local = at.with_timezone(&zone).format(LOCAL_TIME);
            format!("{property};TZID={}:{local}", zone.name())
        }
    };
    for event in events {
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", text(&format!("{}@{host}", event.id))),
            format!("DTSTAMP:{}", now.format(UTC_TIME)),
            time("DTSTART", event.starts_at),
            time("DTEND", event.ends_at),
            format!("SUMMARY:{}", text(&event.summary)),
            format!("LOCATION:{}", text(&event.location)),
            format!("DESCRIPTION:{}", text(&event.description)),
            format!("SEQUENCE:{}", event.sequence),
            format!(
                "STATUS:{}",
                if event.cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                }
            ),
            format!("LAST-MODIFIED:{}", event.updated_at.format(UTC_TIME)),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in &lines {
        fold(line, &mut out);
    }
    out
}

/// The zone's real transitions from a year before the first event to a year after the last,
/// written out rather than left to each client's own tz database, which may be older or
/// (Outlook) not keyed by IANA name at all.
fn vtimezone(lines: &mut Vec<String>, zone: Tz, events: &[Event], now: DateTime<Utc>) {
    let year = TimeDelta::days(366);
    let first = events.iter().map(|e| e.starts_at).min().unwrap_or(now) - year;
    let last = events.iter().map(|e| e.ends_at).max().unwrap_or(now) + year;
    let offset = |at: DateTime<Utc>| zone.offset_from_utc_datetime(&at.naive_utc());

    // Each observance (offset before, offset after) with its local onsets, in order of the
    // first. Midnight start keeps the bisection on whole minutes.
    let mut observances: Vec<(FixedOffset, TzOffset, Vec<NaiveDateTime>)> = Vec::new();
    let mut at = first.date_naive().and_time(NaiveTime::MIN).and_utc();
    while at < last {
        let before = offset(at);
        let mut after = at + TimeDelta::days(1);
        if offset(after) != before {
            let mut lo = at;
            while after - lo > TimeDelta::minutes(1) {
                let mid = lo + TimeDelta::minutes((after - lo).num_minutes() / 2);
                if offset(mid) == before {
                    lo = mid;
                } else {
                    after = mid;
                }
            }
            let (from, to) = (before.fix(), offset(after));
            let onset = after.with_timezone(&from).naive_local();
            match observances
                .iter_mut()
                .find(|(f, t, _)| (*f, *t) == (from, to))
            {
                Some((_, _, onsets)) => onsets.push(onset),
                None => observances.push((from, to, vec![onset])),
            }
        }
        at = after;
    }
    if observances.is_empty() {
        let only = offset(first);
        observances.push((
            only.fix(),
            only,
            vec![first.with_timezone(&zone).naive_local()],
        ));
    }

    lines.push("BEGIN:VTIMEZONE".to_owned());
    lines.push(format!("TZID:{}", zone.name()));
    for (from, to, onsets) in &observances {
        let kind = if to.dst_offset().is_zero() {
            "STANDARD"
        } else {
            "DAYLIGHT"
        };
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", onsets[0].format(LOCAL_TIME)));
        lines.extend(
            onsets[1..]
                .iter()
                .map(|o| format!("RDATE:{}", o.format(LOCAL_TIME))),
        );
        lines.push(format!("TZOFFSETFROM:{}", utc_offset(*from)));
        lines.push(format!("TZOFFSETTO:{}", utc_offset(to.fix())));
        if let Some(abbreviation) = to.abbreviation() {
            lines.push(format!("TZNAME:{}", text(abbreviation)));
        }
        lines.push(format!("END:{kind}"));
    }
    lines.push("END:VTIMEZONE".to_owned());
}

/// "+HHMM", with seconds only when the offset has them (RFC 5545 §3.3.14).
fn utc_offset(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    let hhmm = format!("{sign}{:02}{:02}", s / 3600, s / 60 % 60);
    match s % 60 {
        0 => hhmm,
        ss => format!("{hhmm}{ss:02}"),
    }
}

/// A TEXT value (RFC 5545 §3.3.11). Other control characters are not allowed in TEXT, so they
/// are dropped rather than break a client's parser.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.replace("\r\n", "\n").chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets with CRLF and a space (RFC 5545 §3.1), between
/// characters so no UTF-8 sequence is split.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Australia, Europe};

    fn at(zone: Tz, y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        zone.with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn event(id: &str, starts_at: DateTime<Utc>) -> Event {
        Event {
            id: id.to_owned(),
            sequence: 1,
            starts_at,
            ends_at: starts_at + TimeDelta::hours(1),
            summary: "Supervision".to_owned(),
            location: "Room 2".to_owned(),
            description: String::new(),
            cancelled: false,
            updated_at: at(Tz::UTC, 2027, 1, 4, 9),
        }
    }

    fn now() -> DateTime<Utc> {
        at(Tz::UTC, 2027, 1, 5, 12)
    }

    /// The logical lines, after checking the physical ones: CRLF only, none over 75 octets.
    fn unfold(ics: &str) -> Vec<String> {
        assert!(ics.ends_with("\r\n"));
        assert!(!ics.replace("\r\n", "").contains(['\r', '\n']));
        for physical in ics.split_terminator("\r\n") {
            assert!(physical.len() <= 75, "{physical:?}");
        }
        ics.replace("\r\n ", "")
            .split_terminator("\r\n")
            .map(str::to_owned)
            .collect()
    }

    /// Values of a property (name before any parameters) in order.
    fn values<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
        lines
            .iter()
            .filter_map(|l| l.split_once(':'))
            .filter(|(key, _)| key.split(';').next() == Some(name))
            .map(|(_, value)| value)
            .collect()
    }

    fn blocks<'a>(lines: &'a [String], kind: &str) -> Vec<&'a [String]> {
        let (begin, end) = (format!("BEGIN:{kind}"), format!("END:{kind}"));
        let mut found = Vec::new();
        let mut start = None;
        for (i, line) in lines.iter().enumerate() {
            if *line == begin {
                start = Some(i);
            } else if *line == end {
                found.push(&lines[start.take().unwrap()..=i]);
            }
        }
        found
    }

    fn parse_offset(value: &str) -> i64 {
        let part =
            |range: std::ops::Range<usize>| value.get(range).map_or(0, |d| d.parse().unwrap());
        let seconds: i64 = part(1..3) * 3600 + part(3..5) * 60 + part(5..7);
        if value.starts_with('-') {
            -seconds
        } else {
            seconds
        }
    }

    /// The UTC offset a client reading only the VTIMEZONE uses at an instant: that of the
    /// latest onset at or before it, else the earliest's TZOFFSETFROM.
    fn vtimezone_offset(lines: &[String], instant: DateTime<Utc>) -> i64 {
        let mut onsets = Vec::new();
        for kind in ["STANDARD", "DAYLIGHT"] {
            for block in blocks(lines, kind) {
                let from = parse_offset(values(block, "TZOFFSETFROM")[0]);
                let to = parse_offset(values(block, "TZOFFSETTO")[0]);
                for local in [values(block, "DTSTART"), values(block, "RDATE")].concat() {
                    let local = NaiveDateTime::parse_from_str(local, LOCAL_TIME).unwrap();
                    onsets.push((local.and_utc() - TimeDelta::seconds(from), from, to));
                }
            }
        }
        onsets.sort();
        let earliest = onsets[0].1;
        onsets
            .iter()
            .rev()
            .find(|o| o.0 <= instant)
            .map_or(earliest, |o| o.2)
    }

    fn onsets(block: &[String]) -> Vec<&str> {
        [values(block, "DTSTART"), values(block, "RDATE")].concat()
    }

    #[test]
    fn rem7_calendar_properties_and_events() {
        let lines = unfold(&feed(
            "Sam's sessions",
            "supervision.example",
            Tz::UTC,
            &[event("s-1", at(Tz::UTC, 2027, 3, 26, 10))],
            now(),
        ));
        assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
        assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
        for expected in [
            "VERSION:2.0",
            "PRODID:-//Supervision//Supervision service//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:Sam's sessions",
            "X-WR-TIMEZONE:UTC",
        ] {
            assert!(lines.iter().any(|l| l == expected), "{expected}");
        }
        let vevent = blocks(&lines, "VEVENT")[0];
        for expected in [
            "UID:s-1@supervision.example",
            "DTSTAMP:20270105T120000Z",
            "DTSTART:20270326T100000Z",
            "DTEND:20270326T110000Z",
            "SUMMARY:Supervision",
            "LOCATION:Room 2",
            "DESCRIPTION:",
            "SEQUENCE:1",
            "STATUS:CONFIRMED",
            "LAST-MODIFIED:20270104T090000Z",
        ] {
            assert!(vevent.iter().any(|l| l == expected), "{expected}");
        }
    }

    #[test]
    fn rem7_local_times_survive_the_clock_change() {
        let london = Europe::London;
        let events = [
            event("before-bst", at(london, 2027, 3, 26, 10)),
            event("in-bst", at(london, 2027, 3, 29, 10)),
            event("end-of-bst", at(london, 2027, 10, 29, 10)),
            event("after-bst", at(london, 2027, 11, 1, 10)),
        ];
        assert_eq!(events[0].starts_at, at(Tz::UTC, 2027, 3, 26, 10));
        assert_eq!(events[1].starts_at, at(Tz::UTC, 2027, 3, 29, 9));
        let lines = unfold(&feed("Sessions", "h", london, &events, now()));
        let starts: Vec<_> = lines.iter().filter(|l| l.starts_with("DTSTART;")).collect();
        assert_eq!(
            starts,
            [
                "DTSTART;TZID=Europe/London:20270326T100000",
                "DTSTART;TZID=Europe/London:20270329T100000",
                "DTSTART;TZID=Europe/London:20271029T100000",
                "DTSTART;TZID=Europe/London:20271101T100000",
            ]
        );
        assert!(lines.contains(&"DTEND;TZID=Europe/London:20270329T110000".to_owned()));

        let vtimezone = blocks(&lines, "VTIMEZONE")[0];
        assert_eq!(values(vtimezone, "TZID"), ["Europe/London"]);
        let daylight = blocks(vtimezone, "DAYLIGHT");
        let standard = blocks(vtimezone, "STANDARD");
        assert_eq!((daylight.len(), standard.len()), (1, 1));
        assert!(onsets(daylight[0]).contains(&"20270328T010000"));
        assert_eq!(values(daylight[0], "TZOFFSETFROM"), ["+0000"]);
        assert_eq!(values(daylight[0], "TZOFFSETTO"), ["+0100"]);
        assert_eq!(values(daylight[0], "TZNAME"), ["BST"]);
        assert!(onsets(standard[0]).contains(&"20271031T020000"));
        assert_eq!(values(standard[0], "TZOFFSETFROM"), ["+0100"]);
        assert_eq!(values(standard[0], "TZOFFSETTO"), ["+0000"]);
        assert_eq!(values(standard[0], "TZNAME"), ["GMT"]);

        // A client resolving each local time through the VTIMEZONE gets the session's instant.
        for (event, line) in events.iter().zip(&starts) {
            let local = NaiveDateTime::parse_from_str(&line[line.len() - 15..], LOCAL_TIME);
            let offset = vtimezone_offset(vtimezone, event.starts_at);
            assert_eq!(
                local.unwrap().and_utc() - TimeDelta::seconds(offset),
                event.starts_at
            );
        }
    }

    #[test]
    fn rem7_vtimezone_matches_the_zone_across_the_span() {
        let start = at(Tz::UTC, 2026, 6, 1, 0);
        let events = [event("a", start), event("b", start + TimeDelta::days(400))];
        for zone in [
            Europe::London,
            America::New_York,
            Australia::Lord_Howe,
            America::Santiago,
            Asia::Kolkata,
        ] {
            let lines = unfold(&feed("S", "h", zone, &events, now()));
            let vtimezone = blocks(&lines, "VTIMEZONE")[0];
            let mut instant = start - TimeDelta::days(360);
            while instant < start + TimeDelta::days(760) {
                let expected = zone.offset_from_utc_datetime(&instant.naive_utc());
                assert_eq!(
                    vtimezone_offset(vtimezone, instant),
                    i64::from(expected.fix().local_minus_utc()),
                    "{zone} at {instant}"
                );
                instant += TimeDelta::hours(7);
            }
        }
    }

    #[test]
    fn rem7_zone_without_transitions_has_one_standard() {
        let lines = unfold(&feed("S", "h", Asia::Kolkata, &[], now()));
        let vtimezone = blocks(&lines, "VTIMEZONE")[0];
        assert!(blocks(vtimezone, "DAYLIGHT").is_empty());
        let standard = blocks(vtimezone, "STANDARD");
        assert_eq!(standard.len(), 1);
        assert_eq!(values(standard[0], "TZOFFSETFROM"), ["+0530"]);
        assert_eq!(values(standard[0], "TZOFFSETTO"), ["+0530"]);
        assert_eq!(values(standard[0], "TZNAME"), ["IST"]);
    }

    #[test]
    fn rem7_cancellation_keeps_uid_and_carries_sequence() {
        let mut cancelled = event("s-9", at(Tz::UTC, 2027, 5, 5, 14));
        cancelled.cancelled = true;
        cancelled.sequence = 4;
        let lines = unfold(&feed("S", "host.example", Tz::UTC, &[cancelled], now()));
        assert_eq!(values(&lines, "UID"), ["s-9@host.example"]);
        assert_eq!(values(&lines, "STATUS"), ["CANCELLED"]);
        assert_eq!(values(&lines, "SEQUENCE"), ["4"]);
    }

    #[test]
    fn rem7_text_is_escaped() {
        let mut e = event("s-1", now());
        e.summary = "a;b,c\\d\ne\r\nf\u{7}g".to_owned();
        let lines = unfold(&feed("Jo; Sam, \\ team", "h", Tz::UTC, &[e], now()));
        assert_eq!(values(&lines, "SUMMARY"), ["a\\;b\\,c\\\\d\\ne\\nfg"]);
        assert_eq!(values(&lines, "X-WR-CALNAME"), ["Jo\\; Sam\\, \\\\ team"]);
    }

    #[test]
    fn rem7_long_lines_fold_between_characters() {
        let mut e = event("s-1", now());
        e.description = "Caseload — Zoë’s 🏠 visits, 漢字. ".repeat(20);
        let ics = feed("S", "h", Tz::UTC, &[e.clone()], now());
        assert!(ics.contains("\r\n "), "folded");
        let lines = unfold(&ics);
        assert_eq!(values(&lines, "DESCRIPTION"), [text(&e.description)]);
        assert_eq!(text(&e.description), e.description.replace(',', "\\,"));
    }

    #[test]
    fn rem7_empty_feed_is_valid() {
        for zone in [Tz::UTC, Europe::London] {
            let lines = unfold(&feed("S", "h", zone, &[], now()));
            assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
            assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
            assert_eq!(values(&lines, "VERSION"), ["2.0"]);
            assert!(blocks(&lines, "VEVENT").is_empty());
            assert_eq!(
                blocks(&lines, "VTIMEZONE").len(),
                usize::from(zone != Tz::UTC)
            );
        }
        let lines = unfold(&feed("S", "h", Europe::London, &[], now()));
        assert_eq!(blocks(&lines, "DAYLIGHT").len(), 1);
    }

    #[test]
    fn rem7_utc_zone_writes_z_times_and_no_vtimezone() {
        let lines = unfold(&feed(
            "S",
            "h",
            Tz::Etc__UTC,
            &[event("s-1", at(Tz::UTC, 2027, 3, 29, 9))],
            now(),
        ));
        assert!(blocks(&lines, "VTIMEZONE").is_empty());
        assert_eq!(values(&lines, "DTSTART"), ["20270329T090000Z"]);
        assert_eq!(values(&lines, "DTEND"), ["20270329T100000Z"]);
    }

    #[test]
    fn rem7_offsets_with_seconds_and_signs() {
        let offset = |s| utc_offset(FixedOffset::east_opt(s).unwrap());
        assert_eq!(offset(0), "+0000");
        assert_eq!(offset(-5 * 3600), "-0500");
        assert_eq!(offset(5 * 3600 + 45 * 60), "+0545");
        assert_eq!(offset(-(75 * 60 + 20)), "-011520");
    }
}
