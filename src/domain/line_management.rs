//! Line management as dated links, so "who managed whom on date d" has one answer. Links are
//! half-open ranges `[starts_on, ends_on)`: a change of manager on date d ends the old link on d
//! and starts the new one on d (ACC-3 counts access from the date of the change).

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDate;

use super::validation::Invalid;

/// How deep a chain of managers may go before we call the data corrupt. Real organisations
/// have well under ten levels; the bound stops a cycle from looping.
pub const MAX_CHAIN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub supervisee_id: String,
    pub manager_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

impl Link {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && self.ends_on.is_none_or(|end| date < end)
    }

    fn overlaps(&self, starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> bool {
        let starts_before_other_ends = ends_on.is_none_or(|end| self.starts_on < end);
        let other_starts_before_this_ends = self.ends_on.is_none_or(|end| starts_on < end);
        starts_before_other_ends && other_starts_before_this_ends
    }
}

/// All links, indexed for the questions the product asks on a date.
#[derive(Debug, Default)]
pub struct Hierarchy {
    by_supervisee: HashMap<String, Vec<Link>>,
    by_manager: HashMap<String, Vec<Link>>,
}

impl Hierarchy {
    pub fn new(links: impl IntoIterator<Item = Link>) -> Hierarchy {
        let mut hierarchy = Hierarchy::default();
        for link in links {
            hierarchy
                .by_manager
                .entry(link.manager_id.clone())
                .or_default()
                .push(link.clone());
            hierarchy
                .by_supervisee
                .entry(link.supervisee_id.clone())
                .or_default()
                .push(link);
        }
        hierarchy
    }

    /// The person's line manager on `date`, if any.
    pub fn manager_on(&self, person_id: &str, date: NaiveDate) -> Option<&str> {
        self.by_supervisee
            .get(person_id)?
            .iter()
            .find(|link| link.covers(date))
            .map(|link| link.manager_id.as_str())
    }

    /// The chain of managers above the person on `date`, nearest first.
    pub fn chain_of_managers(&self, person_id: &str, date: NaiveDate) -> Vec<String> {
        let mut chain: Vec<String> = Vec::new();
        let mut current = person_id;
        while let Some(manager) = self.manager_on(current, date) {
            if manager == person_id
                || chain.iter().any(|m| m == manager)
                || chain.len() >= MAX_CHAIN
            {
                break;
            }
            chain.push(manager.to_string());
            current = manager;
        }
        chain
    }

    /// Everyone below the manager on `date`, directly or through other managers.
    pub fn reports_of(&self, manager_id: &str, date: NaiveDate) -> Vec<String> {
        let mut seen: HashSet<&str> = HashSet::from([manager_id]);
        let mut queue: VecDeque<&str> = VecDeque::from([manager_id]);
        let mut reports = Vec::new();
        while let Some(current) = queue.pop_front() {
            for link in self.by_manager.get(current).into_iter().flatten() {
                if link.covers(date) && seen.insert(link.supervisee_id.as_str()) {
                    reports.push(link.supervisee_id.clone());
                    queue.push_back(link.supervisee_id.as_str());
                }
            }
        }
        reports
    }

    /// True when `manager_id` is anywhere above `person_id` on `date`.
    pub fn is_above(&self, manager_id: &str, person_id: &str, date: NaiveDate) -> bool {
        self.chain_of_managers(person_id, date)
            .iter()
            .any(|m| m == manager_id)
    }

    /// Checks a new link and says which current link it ends. A new manager from date d ends
    /// the link open on d; a link that would overlap any other period, manage oneself or make
    /// someone their own manager is refused.
    pub fn plan_link(
        &self,
        supervisee_id: &str,
        manager_id: &str,
        starts_on: NaiveDate,
        ends_on: Option<NaiveDate>,
    ) -> Result<LinkPlan, LinkRefusal> {
        if supervisee_id == manager_id {
            return Err(LinkRefusal::Invalid(Invalid::field(
                "manager_id",
                "a person cannot be their own line manager",
            )));
        }
        if ends_on.is_some_and(|end| end <= starts_on) {
            return Err(LinkRefusal::Invalid(Invalid::field(
                "ends_on",
                "must be after starts_on",
            )));
        }
        let mut ends = None;
        for link in self.by_supervisee.get(supervisee_id).into_iter().flatten() {
            if !link.overlaps(starts_on, ends_on) {
                continue;
            }
            if link.starts_on < starts_on && ends.is_none() {
                ends = Some(link.id.clone());
            } else {
                return Err(LinkRefusal::Overlaps {
                    starts_on: link.starts_on,
                });
            }
        }
        if self
            .chain_of_managers(manager_id, starts_on)
            .iter()
            .any(|m| m == supervisee_id)
        {
            return Err(LinkRefusal::Invalid(Invalid::field(
                "manager_id",
                "this person is managed, directly or not, by the supervisee: the link would make a loop",
            )));
        }
        Ok(LinkPlan { ends_link: ends })
    }
}

/// What saving a new link involves besides inserting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPlan {
    /// The current link to end on the new link's start date.
    pub ends_link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRefusal {
    Invalid(Invalid),
    /// Another link already covers part of the period.
    Overlaps {
        starts_on: NaiveDate,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn link(id: &str, supervisee: &str, manager: &str, from: &str, to: Option<&str>) -> Link {
        Link {
            id: id.into(),
            supervisee_id: supervisee.into(),
            manager_id: manager.into(),
            starts_on: d(from),
            ends_on: to.map(d),
        }
    }

    fn org() -> Hierarchy {
        Hierarchy::new([
            link("1", "tm", "hos", "2020-01-01", None),
            link("2", "sw", "old", "2020-01-01", Some("2026-03-01")),
            link("3", "sw", "tm", "2026-03-01", None),
            link("4", "old", "hos", "2020-01-01", None),
        ])
    }

    #[test]
    fn the_manager_changes_on_the_date_of_the_change() {
        let h = org();
        assert_eq!(h.manager_on("sw", d("2026-02-28")), Some("old"));
        assert_eq!(h.manager_on("sw", d("2026-03-01")), Some("tm"));
        assert_eq!(h.manager_on("sw", d("2019-12-31")), None);
    }

    #[test]
    fn the_chain_goes_to_the_top() {
        let h = org();
        assert_eq!(h.chain_of_managers("sw", d("2026-06-01")), ["tm", "hos"]);
        assert_eq!(h.chain_of_managers("sw", d("2025-06-01")), ["old", "hos"]);
        assert!(h.is_above("hos", "sw", d("2026-06-01")));
        assert!(!h.is_above("old", "sw", d("2026-06-01")));
    }

    #[test]
    fn reports_are_transitive_and_dated() {
        let h = org();
        let mut now = h.reports_of("hos", d("2026-06-01"));
        now.sort();
        assert_eq!(now, ["old", "sw", "tm"]);
        assert_eq!(h.reports_of("old", d("2026-06-01")), Vec::<String>::new());
        assert_eq!(h.reports_of("old", d("2025-06-01")), ["sw"]);
    }

    #[test]
    fn a_new_manager_ends_the_open_link() {
        let h = org();
        let plan = h.plan_link("sw", "hos", d("2026-09-01"), None).unwrap();
        assert_eq!(plan.ends_link.as_deref(), Some("3"));
        assert_eq!(
            h.plan_link("new", "tm", d("2026-09-01"), None).unwrap(),
            LinkPlan { ends_link: None }
        );
    }

    #[test]
    fn overlapping_self_and_circular_links_are_refused() {
        let h = org();
        assert_eq!(
            h.plan_link("sw", "hos", d("2026-01-01"), Some(d("2026-04-01"))),
            Err(LinkRefusal::Overlaps {
                starts_on: d("2026-03-01")
            })
        );
        assert!(matches!(
            h.plan_link("sw", "sw", d("2026-09-01"), None),
            Err(LinkRefusal::Invalid(_))
        ));
        assert!(matches!(
            h.plan_link("hos", "sw", d("2026-09-01"), None),
            Err(LinkRefusal::Invalid(_))
        ));
        assert!(matches!(
            h.plan_link("x", "tm", d("2026-09-01"), Some(d("2026-09-01"))),
            Err(LinkRefusal::Invalid(_))
        ));
    }

    proptest! {
        /// Whatever links are stored, even circular ones, the chain ends and never names the
        /// person or anyone twice.
        #[test]
        fn chain_of_managers_always_ends(edges in proptest::collection::vec((0u8..6, 0u8..6), 0..20)) {
            let links = edges.iter().enumerate().map(|(i, (a, b))| Link {
                id: i.to_string(),
                supervisee_id: a.to_string(),
                manager_id: b.to_string(),
                starts_on: d("2026-01-01"),
                ends_on: None,
            });
            let h = Hierarchy::new(links);
            for person in 0..6u8 {
                let chain = h.chain_of_managers(&person.to_string(), d("2026-06-01"));
                let unique: HashSet<_> = chain.iter().collect();
                prop_assert_eq!(unique.len(), chain.len());
                prop_assert!(!chain.contains(&person.to_string()));
            }
        }
    }
}
