//! Clients and everything recorded of them, drawn deterministically.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};

use super::names::*;
use super::profile::PlannedClient;
use super::writer::Batch;
use super::{anchor, Rng, SeedOfficial, SeedProvider};
use tables::Tables;

mod case;
mod meetings;
mod planned;
mod rehab;
mod tables;
use crate::domain::allowance;
use crate::domain::criterion::Criterion;
use crate::domain::outcome::CaseOutcome;
use crate::domain::personal_identity_code;
use crate::domain::settings::Settings;
use crate::domain::{Agency, Role};

fn closure() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2020, 3, 17).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(2020, 5, 31).unwrap_or(NaiveDate::MIN),
    )
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn at_noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

fn plus_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn weighted<'a>(rng: &mut Rng, items: &'a [(&'a str, u64)]) -> &'a str {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let mut n = rng.next_u64() % total;
    for (item, w) in items {
        if n < *w {
            return item;
        }
        n -= w;
    }
    items[0].0
}

struct Staff<'a> {
    typ_officer: [&'a SeedOfficial; 3],
    te_expert: &'a SeedOfficial,
    eksote_worker: &'a SeedOfficial,
    kela_expert: &'a SeedOfficial,
    coaches: Vec<&'a SeedOfficial>,
}

fn staff(officials: &[SeedOfficial]) -> Option<Staff<'_>> {
    let with = |role: Role, agency: Agency| {
        officials
            .iter()
            .find(|o| o.active && o.roles.contains(&role) && o.agency == agency)
    };
    Some(Staff {
        typ_officer: [
            with(Role::TypOfficer, Agency::Te)?,
            with(Role::TypOfficer, Agency::Eksote)?,
            with(Role::TypOfficer, Agency::Kela)?,
        ],
        te_expert: with(Role::TeExpert, Agency::Te)?,
        eksote_worker: with(Role::EksoteWorker, Agency::Eksote)?,
        kela_expert: with(Role::KelaExpert, Agency::Kela)?,
        coaches: officials
            .iter()
            .filter(|o| o.active && o.roles.contains(&Role::ProviderCoach))
            .collect(),
    })
}

/// The tables the clients and their records are written to.
pub fn tables() -> Vec<&'static str> {
    Tables::new().names()
}

/// Writes `count` clients and their records; returns the number of attendance rows.
pub async fn write(
    conn: &impl ConnectionTrait,
    rng: &mut Rng,
    count: usize,
    providers: &[SeedProvider],
    officials: &[SeedOfficial],
) -> Result<u64, DbErr> {
    write_each(conn, rng, count, providers, officials, |g, codes| {
        g.client(codes)
    })
    .await
}

/// Writes the clients a profile planned ([`super::profile::plan`]) and their records;
/// returns the number of attendance rows.
pub async fn write_planned(
    conn: &impl ConnectionTrait,
    rng: &mut Rng,
    plans: &[PlannedClient],
    providers: &[SeedProvider],
    officials: &[SeedOfficial],
) -> Result<u64, DbErr> {
    write_each(conn, rng, plans.len(), providers, officials, |g, codes| {
        let plan = &plans[g.index];
        g.planned_client(codes, plan)
    })
    .await
}

async fn write_each(
    conn: &impl ConnectionTrait,
    rng: &mut Rng,
    count: usize,
    providers: &[SeedProvider],
    officials: &[SeedOfficial],
    mut each: impl FnMut(&mut Gen<'_, '_>, &mut HashSet<String>) -> Result<(), DbErr>,
) -> Result<u64, DbErr> {
    let staff = staff(officials).ok_or_else(|| DbErr::Custom("data set lacks officials".into()))?;
    let mut t = Tables::new();
    let (c0, c1) = closure();
    t.interruption.push(vec![
        rng.uuid().into(),
        c0.into(),
        c1.into(),
        "Closed by government order (COVID-19)".into(),
    ]);
    // The demo's payment clients have their own codes.
    let mut codes: HashSet<String> = super::payments::identity_codes().into_iter().collect();
    let mut decision_no = 0u64;
    let backend = conn.get_database_backend();
    t.prepare(conn).await?;
    // The rows are drawn while the database writes the batch before: the writer runs the
    // batches in order, the generator hands it one and goes on drawing (yielding to it
    // after each client), so the two sides' work overlaps.
    let (batches, to_write) = tokio::sync::mpsc::channel::<Vec<Statement>>(1);
    // Each side owns its end of the channel: when one stops, the other learns of it.
    let writer = async {
        let mut to_write = to_write;
        while let Some(batch) = to_write.recv().await {
            for statement in batch {
                conn.execute_raw(statement).await?;
            }
        }
        Ok::<(), DbErr>(())
    };
    let generator = async {
        let batches = batches;
        for i in 0..count {
            let mut g = Gen {
                rng: &mut *rng,
                t: &mut t,
                staff: &staff,
                providers,
                decision_no: &mut decision_no,
                index: i,
            };
            each(&mut g, &mut codes)?;
            if t.any_full(backend) && batches.send(t.take(backend)?).await.is_err() {
                // The writer stopped on an error, which it answers.
                return Ok(());
            }
            tokio::task::yield_now().await;
        }
        let _ = batches.send(t.take(backend)?).await;
        Ok::<(), DbErr>(())
    };
    let (written, generated) = tokio::join!(writer, generator);
    written?;
    generated?;
    Ok(t.attendance.written)
}

struct Gen<'a, 'b> {
    rng: &'a mut Rng,
    t: &'a mut Tables,
    staff: &'a Staff<'b>,
    providers: &'a [SeedProvider],
    decision_no: &'a mut u64,
    index: usize,
}

impl Gen<'_, '_> {
    /// The client's row: identity, name, contact details; answers the id and whether the
    /// client lives on social assistance.
    fn person(&mut self, codes: &mut HashSet<String>) -> (String, bool) {
        let rng = &mut *self.rng;
        let id = rng.uuid();
        let code = loop {
            let born = rng.date(ymd(1961, 1, 1), ymd(2005, 12, 31));
            let code = personal_identity_code::format(born, rng.range(900, 999) as u32);
            if codes.insert(code.clone()) {
                break code;
            }
        };
        let first = *rng.pick(FIRST_NAMES);
        let last = format!("{}{}", rng.pick(SURNAME_STEMS), rng.pick(SURNAME_ENDINGS));
        let (municipality, postal) = {
            let total: u64 = MUNICIPALITIES.iter().map(|m| m.2).sum();
            let mut n = rng.next_u64() % total;
            let mut pick = MUNICIPALITIES[0];
            for m in MUNICIPALITIES {
                if n < m.2 {
                    pick = *m;
                    break;
                }
                n -= m.2;
            }
            (pick.0, pick.1)
        };
        let language = weighted(rng, LANGUAGES);
        let social_assistance = rng.chance(25);
        let now = Utc::now();
        // Most clients come through the employment authority; some through the county or Kela.
        let registered = *rng.pick(&[
            Agency::Te,
            Agency::Te,
            Agency::Te,
            Agency::Eksote,
            Agency::Kela,
        ]);
        let phone = format!("+358 50 000 {:04}", self.index % 10_000);
        let email = format!(
            "{}.{}{}@esimerkki.invalid",
            ascii(first),
            ascii(&last),
            self.index
        );
        let street = format!("{} {}", rng.pick(STREETS), rng.range(1, 60));
        self.t.client.push(vec![
            id.clone().into(),
            code.into(),
            first.into(),
            last.into(),
            Some(phone).into(),
            Some(email).into(),
            Some(street).into(),
            Some(postal).into(),
            Some(municipality).into(),
            Some(language).into(),
            registered.code().into(),
            1.into(),
            now.into(),
            now.into(),
        ]);
        (id, social_assistance)
    }

    fn client(&mut self, codes: &mut HashSet<String>) -> Result<(), DbErr> {
        let (id, social_assistance) = self.person(codes);
        // About one in seven never became a TYP client, or left so long ago that the
        // retention period has passed: agencies see only their own records of them.
        let kind = self.index % 7;
        if kind == 6 {
            if self.index % 2 == 0 {
                let opened = self.rng.date(ymd(2015, 1, 15), ymd(2015, 6, 30));
                let ended = plus_months(opened, 9);
                self.case(&id, opened, Some((ended, "MOVED")), None)?;
            }
            self.benefit(&id, social_assistance)?;
            if self.rng.chance(50) {
                self.note(&id, Agency::Te, false)?;
            }
            return Ok(());
        }
        let opened = self.rng.date(
            ymd(2017, 1, 1),
            plus_days(anchor(), 0)
                .checked_sub_days(Days::new(20))
                .unwrap_or(anchor()),
        );
        let closable = opened
            < anchor()
                .checked_sub_months(Months::new(18))
                .unwrap_or(anchor());
        let ended = if closable && self.rng.chance(60) {
            let end = plus_months(opened, self.rng.range(8, 30) as u32)
                .min(plus_days(anchor(), 0) - Days::new(1));
            let outcome = CaseOutcome::ALL[(self.index / 7) % CaseOutcome::ALL.len()].code();
            Some((end, outcome))
        } else {
            None
        };
        let case_id = self.case(&id, opened, ended, None)?;
        self.consents(&id, opened)?;
        let until = ended.map(|e| e.0).unwrap_or(anchor());
        let plan_made = plus_months(opened, 2);
        let plan_id = if plan_made < until {
            Some(self.plan(&case_id, plan_made, social_assistance)?)
        } else {
            None
        };
        if let Some(plan_id) = &plan_id {
            self.actions(&case_id, plan_id, plan_made, until)?;
        }
        self.benefit(&id, social_assistance)?;
        // KTT periods, sometimes several in a row: most TYP clients spend time in KTT.
        let mut from = plan_made;
        let mut periods = 0;
        while periods < 3
            && from < until.min(anchor())
            && self.rng.chance(if periods == 0 { 80 } else { 55 })
        {
            let ended = self.period(&id, &case_id, from, until, social_assistance)?;
            from = plus_days(ended, self.rng.range(1, 60) as u64);
            periods += 1;
        }
        self.assessment_and_obligation(&id, opened, until)?;
        if self.rng.chance(12) {
            self.coaching(&id, opened, until);
        }
        if self.rng.chance(45) || ended.is_none() && self.index % 5 == 0 {
            self.meetings(
                &id,
                &case_id,
                plan_id.as_deref(),
                opened,
                ended.map(|e| e.0),
            )?;
        }
        let n_notes = self.rng.range(0, 2);
        for _ in 0..n_notes {
            let agency = *self.rng.pick(&[Agency::Eksote, Agency::Te, Agency::Kela]);
            let shared = self.rng.chance(35);
            self.note(&id, agency, shared)?;
        }
        Ok(())
    }

    /// Now and then a work-ability assessment within the case, and the employment
    /// authority's job-search obligation due four months after it opened.
    fn assessment_and_obligation(
        &mut self,
        id: &str,
        opened: NaiveDate,
        until: NaiveDate,
    ) -> Result<(), DbErr> {
        if self.rng.chance(30) {
            self.assessment(id, opened, until)?;
        }
        if self.rng.chance(30) {
            let due = plus_months(opened, 4);
            self.t.employment.push(vec![
                self.rng.uuid().into(),
                id.into(),
                "JOB_SEARCH_OBLIGATION".into(),
                "Apply for three jobs a month".into(),
                Some(due).into(),
                self.staff.te_expert.id.clone().into(),
                at_noon(opened).into(),
            ]);
        }
        Ok(())
    }

    /// Job coaching ordered for the client from three months into the case.
    fn coaching(&mut self, id: &str, opened: NaiveDate, until: NaiveDate) {
        // Job coaching as each orderer's own: the employment authority buys it as a
        // purchased service within its 50 hours, the county gives its own.
        let p = self.rng.pick(self.providers).id.clone();
        let start = plus_months(opened, 3).min(until);
        // Drawn from the client's index, not the generator, so the rest of the data
        // set stays as it was drawn.
        let n = i32::try_from(self.index % 1000).unwrap_or(0);
        let (agency, official, hours) = if n % 5 < 3 {
            (Agency::Te, &self.staff.te_expert.id, 10 + n * 7 % 41)
        } else {
            (
                Agency::Eksote,
                &self.staff.eksote_worker.id,
                10 + n * 11 % 71,
            )
        };
        let used = hours * (n % 4) / 4;
        self.t.coaching.push(vec![
            self.rng.uuid().into(),
            id.into(),
            Some(p).into(),
            (*self
                .rng
                .pick(&["INDIVIDUAL", "WALK_ALONGSIDE", "NEUROPSYCHIATRIC", "GROUP"]))
            .into(),
            agency.code().into(),
            hours.into(),
            start.into(),
            Option::<NaiveDate>::None.into(),
            Some(official.clone()).into(),
            used.into(),
        ]);
    }
}

/// Folds a name to ASCII for a fictional email address.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ä' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            'å' | 'Å' => 'a',
            c => c.to_ascii_lowercase(),
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}
