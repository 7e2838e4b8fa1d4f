//! A client's TYP case: the case, its consents, plan and agreed actions, and agency notes.

use super::*;

impl Gen<'_, '_> {
    pub(super) fn case(
        &mut self,
        client: &str,
        opened: NaiveDate,
        ended: Option<(NaiveDate, &str)>,
        track: Option<&str>,
    ) -> Result<String, DbErr> {
        let id = self.rng.uuid();
        let a = (self.rng.next_u64() % 3) as usize;
        let officer = self.staff.typ_officer[a];
        let mapping_deadline = plus_months(opened, 3);
        let phase = match ended {
            Some(_) => "CLOSED",
            None if mapping_deadline > anchor() => "MAPPING",
            None if self.rng.chance(30) => "PLANNING",
            None => "IMPLEMENTATION",
        };
        self.t.case.push(vec![
            id.clone().into(),
            client.into(),
            phase.into(),
            self.rng.pick(&Criterion::ALL).code().into(),
            officer.id.clone().into(),
            officer.agency.code().into(),
            opened.into(),
            mapping_deadline.into(),
            Some("Prefers morning appointments; interpreter for official meetings if needed.")
                .into(),
            Some("Vocational qualification in logistics (fictional).").into(),
            Some("Warehouse and cleaning jobs, last job ended over a year ago (fictional).").into(),
            ended.map(|e| e.0).into(),
            ended.map(|e| e.1.to_owned()).into(),
            at_noon(opened).into(),
            track.map(str::to_owned).into(),
        ]);
        if let Some((end, _)) = ended {
            for months in [3u32, 6, 12] {
                let on = plus_months(end, months);
                if on <= anchor() && self.rng.chance(80) {
                    let status = *self.rng.pick(&[
                        "EMPLOYED",
                        "STUDYING",
                        "UNEMPLOYED",
                        "PAY_SUBSIDISED_WORK",
                        "REHABILITATION",
                        "UNKNOWN",
                    ]);
                    self.t.follow_up.push(vec![
                        self.rng.uuid().into(),
                        id.clone().into(),
                        (months as i32).into(),
                        status.into(),
                        on.into(),
                        officer.id.clone().into(),
                    ]);
                }
            }
        }
        Ok(id)
    }

    pub(super) fn consents(&mut self, client: &str, opened: NaiveDate) -> Result<(), DbErr> {
        let officer = self.staff.typ_officer[0];
        let now = at_noon(opened);
        let id = self.rng.uuid();
        self.t.consent.push(vec![
            id.into(),
            client.into(),
            "MULTI_AGENCY_SERVICE".into(),
            Option::<String>::None.into(),
            opened.into(),
            Option::<NaiveDate>::None.into(),
            Option::<NaiveDate>::None.into(),
            officer.id.clone().into(),
            officer.agency.code().into(),
            now.into(),
        ]);
        // Disclosure consents: in force, expired or withdrawn; to Kela, the employment authority.
        if self.index % 3 == 0 {
            let state = (self.index / 3) % 5;
            let recipient = if self.index % 2 == 0 {
                Agency::Kela
            } else {
                Agency::Te
            };
            let given = plus_days(opened, 10);
            let (valid_until, withdrawn) = match state {
                0..=2 => (None, None),
                3 => (
                    Some(plus_months(given, 6))
                        .filter(|d| *d < anchor())
                        .or(Some(anchor() - Days::new(1))),
                    None,
                ),
                _ => (None, Some(plus_months(given, 2).min(anchor()))),
            };
            let groups: &[&str] = match (self.index / 3) % 3 {
                0 => &["HEALTH"],
                1 => &["HEALTH", "SOCIAL"],
                _ => &["SOCIAL"],
            };
            let cid = self.rng.uuid();
            let worker = self.staff.eksote_worker;
            self.t.consent.push(vec![
                cid.clone().into(),
                client.into(),
                "DISCLOSURE".into(),
                Some(recipient.code()).into(),
                given.into(),
                valid_until.into(),
                withdrawn.into(),
                worker.id.clone().into(),
                worker.agency.code().into(),
                at_noon(given).into(),
            ]);
            for g in groups {
                self.t
                    .consent_group
                    .push(vec![cid.clone().into(), (*g).into()]);
            }
        }
        Ok(())
    }

    pub(super) fn plan(
        &mut self,
        case_id: &str,
        made: NaiveDate,
        social_assistance: bool,
    ) -> Result<String, DbErr> {
        let id = self.rng.uuid();
        // From 2026 the activation plan is only for social-assistance clients.
        let kind = if social_assistance && (made < ymd(2026, 1, 1) || self.rng.chance(50)) {
            "ACTIVATION"
        } else {
            "MULTI_SECTOR"
        };
        let goals = *self.rng.pick(GOALS);
        self.t.plan.push(vec![
            id.clone().into(),
            case_id.into(),
            kind.into(),
            made.into(),
            goals.into(),
            plus_months(made, 6).into(),
            self.staff.typ_officer[0].id.clone().into(),
            at_noon(made).into(),
        ]);
        Ok(id)
    }

    pub(super) fn actions(
        &mut self,
        case_id: &str,
        plan_id: &str,
        made: NaiveDate,
        until: NaiveDate,
    ) -> Result<(), DbErr> {
        for _ in 0..self.rng.range(2, 4) {
            let owner = *self.rng.pick(&[Agency::Te, Agency::Eksote, Agency::Kela]);
            let due = plus_days(made, self.rng.range(20, 200) as u64);
            let completed = if due < until && self.rng.chance(70) {
                Some(due.min(until))
            } else {
                None
            };
            self.t.action.push(vec![
                self.rng.uuid().into(),
                case_id.into(),
                Some(plan_id).into(),
                Option::<String>::None.into(),
                owner.code().into(),
                (*self.rng.pick(ACTIONS)).into(),
                due.into(),
                completed.into(),
                self.staff.typ_officer[0].id.clone().into(),
                at_noon(made).into(),
            ]);
        }
        Ok(())
    }

    pub(super) fn note(&mut self, client: &str, agency: Agency, shared: bool) -> Result<(), DbErr> {
        let (author, body) = match agency {
            Agency::Eksote => (self.staff.eksote_worker, *self.rng.pick(NOTES_SOCIAL)),
            Agency::Kela => (self.staff.kela_expert, *self.rng.pick(NOTES_KELA)),
            _ => (self.staff.te_expert, *self.rng.pick(NOTES_TE)),
        };
        let on = self.rng.date(ymd(2019, 1, 1), anchor());
        self.t.note.push(vec![
            self.rng.uuid().into(),
            client.into(),
            agency.code().into(),
            author.id.clone().into(),
            body.into(),
            shared.into(),
            at_noon(on).into(),
        ]);
        Ok(())
    }
}
