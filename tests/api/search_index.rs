//! The in-memory search index against the database: after random writes made through
//! two instances, every list, search and facet count either instance answers from its
//! index equals the answer of a third instance that asks the database alone
//! (`MOBILITY_SEARCH_INDEX=off`), right after each write.

use chrono::Duration;
use serde_json::{Value, json};

use mobility_directory::domain::codes::Currency;
use mobility_directory::domain::geography::{Area, Country};
use mobility_directory::domain::opportunity::{ApplicationFee, Opportunity, Organization, Texts};
use mobility_directory::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, Role,
};

use crate::helpers::{TestApp, deadline_in, opportunity, organization, spawn_app_with};

/// A small reproducible source of choices (xorshift64*).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())]
    }

    fn some<T: Copy + PartialEq>(&mut self, from: &[T], most: usize) -> Vec<T> {
        let mut out = Vec::new();
        for _ in 0..=self.below(most) {
            let v = self.pick(from);
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }
}

const EN_WORDS: &[&str] = &[
    "ceramics",
    "residency",
    "residencies",
    "glass",
    "poetry",
    "translation",
    "dance",
    "studio",
    "festival",
    "travel",
    "grant",
    "Vienna",
    "Montenegro",
    "seaside",
    "archive",
];
const SL_WORDS: &[&str] = &[
    "keramika",
    "keramiko",
    "rezidenca",
    "rezidence",
    "steklo",
    "poezijo",
    "prevajalce",
    "štipendija",
    "štipendijo",
    "Dunaju",
    "v Črni gori",
    "ob morju",
    "arhiva",
    "ples",
];
const COUNTRIES: &[&str] = &["SI", "HR", "AT", "IT", "ME", "DE", "JP", "US"];
const AREAS: &[&str] = &[
    "SI",
    "HR",
    "AT",
    "ME",
    "eu",
    "western_balkans",
    "creative_europe",
];

fn sentence(dice: &mut Dice, words: &[&str], n: usize) -> String {
    (0..n)
        .map(|_| dice.pick(words))
        .collect::<Vec<_>>()
        .join(" ")
}

fn random_entry(dice: &mut Dice, slug: &str, orgs: &[Organization]) -> Opportunity {
    let org = &orgs[dice.below(orgs.len())];
    let mut o = opportunity(slug, org);
    o.kind = dice.pick(OpportunityType::ALL);
    o.title = Texts::both(
        &format!("{} {slug}", sentence(dice, EN_WORDS, 2)),
        &sentence(dice, SL_WORDS, 2),
    );
    o.summary = Texts::both(&sentence(dice, EN_WORDS, 5), &sentence(dice, SL_WORDS, 5));
    if dice.chance(50) {
        o.description = Texts::both(&sentence(dice, EN_WORDS, 12), &sentence(dice, SL_WORDS, 12));
    }
    o.disciplines = dice.some(Discipline::ALL, 3);
    o.covered_costs = dice.some(CoveredCost::ALL, 3);
    o.destination.countries = dice
        .some(COUNTRIES, 2)
        .into_iter()
        .map(|c| Country::parse(c).unwrap())
        .collect();
    if dice.chance(50) {
        o.eligibility.nationalities = dice
            .some(AREAS, 2)
            .into_iter()
            .map(|a| Area::parse(a).unwrap())
            .collect();
    }
    if dice.chance(30) {
        o.eligibility.residences = dice
            .some(AREAS, 2)
            .into_iter()
            .map(|a| Area::parse(a).unwrap())
            .collect();
    }
    o.eligibility.career_stage = dice.pick(CareerStage::ALL);
    // Deadlines half a day off whole days, so that no status changes while the test runs.
    let days = dice.below(80) as i64 - 20;
    if dice.chance(15) {
        o.deadline = None;
        o.rolling = true;
    } else {
        o.deadline = Some(deadline_in(
            Duration::days(days) + Duration::hours(12),
            "Europe/Ljubljana",
        ));
        o.rolling = dice.chance(10);
    }
    if dice.chance(15) && (o.rolling || days > 5) {
        o.opens_at = Some(chrono::Utc::now() + Duration::days(3) + Duration::hours(12));
    }
    if let Some(funding) = &mut o.funding {
        funding.min = dice.chance(40).then(|| dice.pick(&[200, 800, 2500]));
        funding.max = dice.chance(80).then(|| {
            dice.pick(&[500, 1000, 3000, 8000])
                .max(funding.min.unwrap_or(0))
        });
    }
    if dice.chance(20) {
        o.application_fee = ApplicationFee {
            amount: 25,
            currency: Some(Currency::parse("EUR").unwrap()),
        };
    }
    o
}

fn random_query(dice: &mut Dice) -> String {
    let mut params: Vec<(String, String)> = Vec::new();
    let words: Vec<&str> = EN_WORDS
        .iter()
        .chain(SL_WORDS)
        .copied()
        .chain([
            "cer",
            "rez",
            "kera",
            "pr",
            "\"v črni gori\"",
            "-glass",
            "dance or ples",
            // Nominatives that find inflected forms by their lemma only.
            "črna gora",
            "gora",
            "dunaj",
            "prevajalec",
            "-gora",
        ])
        .collect();
    if dice.chance(60) {
        let q = (0..=dice.below(2))
            .map(|_| dice.pick(&words))
            .collect::<Vec<_>>()
            .join(" ");
        params.push(("q".into(), q));
    }
    let filters: &[(&str, &[&str])] = &[
        (
            "type",
            &["residency", "fellowship", "travel_grant", "award"],
        ),
        (
            "discipline",
            &["dance", "music", "literature", "crafts", "translation"],
        ),
        ("covers", &["travel", "accommodation", "fee"]),
        ("eligible_country", AREAS),
        ("nationality", &["SI", "HR", "eu"]),
        (
            "destination_country",
            &["SI", "AT", "ME", "eu", "western_balkans"],
        ),
        (
            "status",
            &["open", "closing_soon", "rolling", "upcoming", "closed"],
        ),
        ("career_stage", &["emerging", "mid_career", "established"]),
        ("free_to_apply", &["true", "false"]),
        ("min_amount", &["700", "2000", "5000"]),
    ];
    for _ in 0..dice.below(4) {
        let (name, values) = filters[dice.below(filters.len())];
        params.push((name.into(), dice.some(values, 2).join(",")));
    }
    if dice.chance(50) {
        params.push((
            "facets".into(),
            dice.some(
                &[
                    "type",
                    "discipline",
                    "destination_country",
                    "covers",
                    "career_stage",
                    "status",
                ],
                6,
            )
            .join(","),
        ));
    }
    if dice.chance(40) {
        let sort = dice.pick(&[
            "relevance",
            "deadline",
            "deadline_desc",
            "newest",
            "updated",
        ]);
        params.push(("sort".into(), sort.into()));
    }
    params.push(("limit".into(), "100".into()));
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("/api/v1/opportunities?{query}")
}

/// The same answer from `indexed` as from `reference`: status, total, facets, and the
/// entries in order (as a set when ranked: the index ranks by its own score).
fn assert_same(reference: &TestApp, indexed: &TestApp, path: &str, context: &str) {
    let want = reference.get(path);
    let got = indexed.get(path);
    assert_eq!(got.status, want.status, "{context}: {path}\n{}", got.body);
    if want.status != 200 {
        return;
    }
    let (want, got) = (want.json(), got.json());
    assert_eq!(got["total"], want["total"], "{context}: total of {path}");
    assert_eq!(got["facets"], want["facets"], "{context}: facets of {path}");
    let slugs = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let ranked =
        path.contains("q=") && (path.contains("sort=relevance") || !path.contains("sort="));
    let (mut a, mut b) = (slugs(&got), slugs(&want));
    if ranked {
        if want["total"].as_i64().unwrap() > 100 {
            return;
        }
        a.sort();
        b.sort();
    }
    assert_eq!(a, b, "{context}: entries of {path}");
}

fn etag(app: &TestApp, path: &str, token: &str) -> String {
    let got = app.get_as(path, token);
    assert_eq!(got.status, 200, "{path}: {}", got.body);
    got.header("etag").unwrap()
}

#[test]
fn the_index_of_each_instance_equals_the_database_after_random_writes_on_two_instances() {
    let first = spawn_app_with(|s| s.response_cache_mb = 0);
    let second = first.second_instance_with(|s| s.response_cache_mb = 0);
    let reference = first.second_instance_with(|s| {
        s.response_cache_mb = 0;
        s.search_index = false;
    });
    let mut dice = Dice(0x5EED_1DE7);
    let orgs: Vec<Organization> = (0..3)
        .map(|i| {
            let org = organization(&format!("org-{i}"));
            first.insert_organization(&org);
            org
        })
        .collect();
    for i in 0..90 {
        first.insert(&random_entry(&mut dice, &format!("entry-{i}"), &orgs));
    }
    // Both instances build their index before the writes, so that what follows is kept
    // current by the change log, not read afresh.
    for app in [&first, &second] {
        assert_same(
            &reference,
            app,
            "/api/v1/opportunities?limit=100",
            "before any write",
        );
    }
    let editor = first.token_for(Role::Editor);
    let mut next_slug = 90;
    let mut withdrawn = Vec::new();
    for round in 0..25 {
        let writer = if round % 2 == 0 { &first } else { &second };
        let slug = format!("entry-{}", dice.below(next_slug));
        let staff = format!("/api/v1/staff/opportunities/{slug}");
        let path = format!("/api/v1/opportunities/{slug}");
        let what = match dice.below(5) {
            0 if !withdrawn.contains(&slug) => {
                let tag = etag(writer, &staff, &editor);
                let body = json!({
                    "title": {"en": format!("{} {slug}", sentence(&mut dice, EN_WORDS, 3))},
                    "summary": {"sl": sentence(&mut dice, SL_WORDS, 4)},
                });
                let r = writer.json("PATCH", &path, Some(&editor), &body, &[("if-match", &tag)]);
                assert_eq!(r.status, 200, "{}", r.body);
                "texts changed"
            }
            1 if !withdrawn.contains(&slug) => {
                let tag = etag(writer, &staff, &editor);
                let body = json!({
                    "type": dice.pick(&["residency", "award", "fellowship"]),
                    "disciplines": dice.some(&["dance", "music", "crafts"], 2),
                    "covered_costs": dice.some(&["travel", "fee"], 2),
                });
                let r = writer.json("PATCH", &path, Some(&editor), &body, &[("if-match", &tag)]);
                assert_eq!(r.status, 200, "{}", r.body);
                "type, disciplines and costs changed"
            }
            2 if !withdrawn.contains(&slug) => {
                let tag = etag(writer, &staff, &editor);
                let bearer = format!("Bearer {editor}");
                let r = writer.request_with(
                    "DELETE",
                    &path,
                    &[("authorization", &bearer), ("if-match", &tag)],
                );
                assert_eq!(r.status, 200, "{}", r.body);
                withdrawn.push(slug.clone());
                "withdrawn"
            }
            3 => {
                let org = &orgs[dice.below(orgs.len())];
                let org_path = format!("/api/v1/organizations/{}", org.slug);
                let body = json!({"name": format!("Galerija Kotor {round}")});
                // `*`: whatever version it is at.
                let r = writer.json(
                    "PATCH",
                    &org_path,
                    Some(&editor),
                    &body,
                    &[("if-match", "*")],
                );
                assert_eq!(r.status, 200, "{}", r.body);
                "organizer renamed"
            }
            _ => {
                let new = random_entry(&mut dice, &format!("entry-{next_slug}"), &orgs);
                next_slug += 1;
                writer.insert(&new);
                "entry added"
            }
        };
        for _ in 0..12 {
            let query = random_query(&mut dice);
            for app in [&first, &second] {
                assert_same(&reference, app, &query, &format!("round {round}, {what}"));
            }
        }
    }
    // Every page of the whole list, walked by cursor, in order.
    let all = |app: &TestApp| -> Vec<Value> {
        app.all_pages("status=open,closing_soon,rolling,upcoming,closed&limit=7")
            .into_iter()
            .map(|i| i["slug"].clone())
            .collect()
    };
    let everything = all(&reference);
    assert!(everything.len() > 80, "{}", everything.len());
    assert_eq!(all(&first), everything);
    assert_eq!(all(&second), everything);
}
