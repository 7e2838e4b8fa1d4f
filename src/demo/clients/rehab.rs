//! Benefits, work-ability assessments and KTT periods with their attendance and allowances.

use super::*;

impl Gen<'_, '_> {
    pub(super) fn benefit(&mut self, client: &str, social_assistance: bool) -> Result<(), DbErr> {
        let decided = self.rng.date(ymd(2018, 1, 1), anchor());
        let kind = if social_assistance {
            "BASIC_SOCIAL_ASSISTANCE"
        } else {
            "LABOUR_MARKET_SUBSIDY"
        };
        let status = *self
            .rng
            .pick(&["GRANTED", "GRANTED", "GRANTED", "ENDED", "PENDING"]);
        self.t.benefit.push(vec![
            self.rng.uuid().into(),
            client.into(),
            Agency::Kela.code().into(),
            kind.into(),
            status.into(),
            decided.into(),
            Some(decided).into(),
            Option::<NaiveDate>::None.into(),
            self.staff.kela_expert.id.clone().into(),
        ]);
        // The status the allowance lines follow: social assistance as the county records
        // it, otherwise Kela's labour market subsidy, over every period of the data set.
        let (status, agency, by) = if social_assistance {
            (
                "SOCIAL_ASSISTANCE",
                Agency::Eksote,
                self.staff.eksote_worker,
            )
        } else {
            (
                "LABOUR_MARKET_SUBSIDY",
                Agency::Kela,
                self.staff.kela_expert,
            )
        };
        self.t.benefit_status.push(vec![
            self.rng.uuid().into(),
            client.into(),
            status.into(),
            ymd(2014, 1, 1).into(),
            agency.code().into(),
            by.id.clone().into(),
            at_noon(ymd(2014, 1, 1)).into(),
        ]);
        Ok(())
    }

    pub(super) fn assessment(
        &mut self,
        client: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(), DbErr> {
        let on = self.rng.date(from, to);
        let (agency, assessor) = if self.rng.chance(75) {
            (Agency::Eksote, self.staff.eksote_worker)
        } else {
            (Agency::Kela, self.staff.kela_expert)
        };
        self.t.assessment.push(vec![
            self.rng.uuid().into(),
            client.into(),
            on.into(),
            agency.code().into(),
            assessor.id.clone().into(),
            (*self.rng.pick(ASSESSMENT_CONCLUSIONS)).into(),
            Some("No heavy lifting; at most six hours a day.").into(),
            Some(*self.rng.pick(ASSESSMENT_DETAILS)).into(),
            at_noon(on).into(),
        ]);
        Ok(())
    }

    /// Decides a period starting within four months of `from`; returns its last day.
    pub(super) fn period(
        &mut self,
        client: &str,
        case_id: &str,
        from: NaiveDate,
        until: NaiveDate,
        social_assistance: bool,
    ) -> Result<NaiveDate, DbErr> {
        let starts = self
            .rng
            .date(from, plus_days(from, 120).min(until).min(anchor()));
        let ends = plus_months(starts, self.rng.range(3, 12) as u32);
        let days = self.rng.range(2, 4) as i32;
        self.placed(
            client,
            case_id,
            (starts, ends, days),
            None,
            social_assistance,
        )?;
        Ok(ends)
    }

    /// Writes a period decided from `starts` to `ends`, `days` a week, ended early when
    /// `early` says (its last day, reason and outcome), with its attendance, allowances and
    /// the employment authority's statement.
    pub(super) fn placed(
        &mut self,
        client: &str,
        case_id: &str,
        (starts, ends, days): (NaiveDate, NaiveDate, i32),
        early: Option<(NaiveDate, &str, &str)>,
        social_assistance: bool,
    ) -> Result<(), DbErr> {
        let hours = if days == 4 {
            self.rng.range(4, 6)
        } else {
            self.rng.range(4, 7)
        } as i32;
        let provider_ix = (self.rng.next_u64() % self.providers.len() as u64) as usize;
        let provider = &self.providers[provider_ix];
        let coach = self
            .staff
            .coaches
            .get(provider_ix)
            .copied()
            .unwrap_or(self.staff.eksote_worker);
        let distance = (self.rng.range(5, 250) as f64) / 10.0;
        let payer = if social_assistance {
            Agency::Eksote
        } else {
            Agency::Kela
        };
        *self.decision_no += 1;
        let id = self.rng.uuid();
        self.t.period.push(vec![
            id.clone().into(),
            client.into(),
            Some(case_id).into(),
            provider.id.clone().into(),
            format!("KTT-{}-{:06}", starts.year(), self.decision_no).into(),
            starts.into(),
            self.staff.eksote_worker.id.clone().into(),
            starts.into(),
            ends.into(),
            days.into(),
            hours.into(),
            (*self.rng.pick(GOALS)).into(),
            Some("Guidance at the start of each day; a quiet workspace.").into(),
            Some(distance).into(),
            at_noon(starts).into(),
            early.map(|e| e.0).into(),
            early.map(|e| e.1.to_owned()).into(),
            early.map(|e| e.2.to_owned()).into(),
            early.map(|_| self.staff.eksote_worker.id.clone()).into(),
            early.map(|e| at_noon(e.0)).into(),
        ]);
        let last = early.map(|e| e.0).unwrap_or(ends);
        self.attendance(&id, starts, last, days, coach, distance, payer)?;
        // The county informs the employment authority, which gives Kela a statement.
        self.t.statement.push(vec![
            self.rng.uuid().into(),
            client.into(),
            starts.into(),
            self.staff.te_expert.id.clone().into(),
            "KTT_START".into(),
            "Benefit conditions are met during the KTT period.".into(),
        ]);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn attendance(
        &mut self,
        period: &str,
        starts: NaiveDate,
        ends: NaiveDate,
        days: i32,
        coach: &SeedOfficial,
        distance: f64,
        payer: Agency,
    ) -> Result<(), DbErr> {
        let (c0, c1) = closure();
        let last = ends.min(anchor());
        let mut day = starts;
        let mut month: Option<(String, Vec<(String, NaiveDate)>)> = None;
        while day <= last {
            let weekday = day.weekday().num_days_from_monday() as i32;
            let in_closure = day >= c0 && day <= c1;
            let holiday = crate::domain::calendar::public_holiday(day).is_some();
            if weekday < days && !in_closure && !holiday {
                let present = self.rng.chance(86);
                let id = self.rng.uuid();
                let reason: Option<&str> = if present {
                    None
                } else {
                    Some(*self.rng.pick(&["sick", "appointment", "no reason given"]))
                };
                self.t.attendance.push(vec![
                    id.clone().into(),
                    period.into(),
                    day.into(),
                    present.into(),
                    reason.into(),
                    coach.id.clone().into(),
                    at_noon(day).into(),
                ]);
                let key = format!("{:04}-{:02}", day.year(), day.month());
                if month.as_ref().is_some_and(|m| m.0 != key) {
                    if let Some((k, ids)) = month.take() {
                        self.allowance(period, &k, &ids, distance, payer)?;
                    }
                }
                let entry = month.get_or_insert_with(|| (key, Vec::new()));
                if present {
                    entry.1.push((id, day));
                }
            }
            day = plus_days(day, 1);
        }
        if let Some((k, ids)) = month {
            self.allowance(period, &k, &ids, distance, payer)?;
        }
        Ok(())
    }

    /// The allowance lines of one month of a period, by the allowance rule with its default
    /// settings (the data set's rule version names them).
    pub(super) fn allowance(
        &mut self,
        period: &str,
        month: &str,
        attended: &[(String, NaiveDate)],
        distance: f64,
        payer: Agency,
    ) -> Result<(), DbErr> {
        let month_end =
            NaiveDate::parse_from_str(&format!("{month}-28"), "%Y-%m-%d").unwrap_or(anchor());
        let county = payer == Agency::Eksote;
        let lines = allowance::for_month(
            &Settings::default(),
            allowance::Travel {
                distance_km: Some(distance),
                ..allowance::Travel::default()
            },
            attended,
            |_| crate::domain::benefit::DayStatus {
                unemployment: None,
                social_assistance: county,
            },
            month_end.year(),
            month_end.month(),
        );
        for line in lines.into_iter().filter(|l| l.cents > 0) {
            let id = self.rng.uuid();
            let values: Vec<Value> = vec![
                id.clone().into(),
                period.into(),
                month.into(),
                line.payee.kind.into(),
                line.payee.payer.into(),
                (line.days.len() as i32).into(),
                line.cents.into(),
                "demo-rules-2019-01-01".into(),
                at_noon(month_end).into(),
            ];
            self.t.allowance.push(values);
            for a in &line.days {
                self.t
                    .allowance_link
                    .push(vec![id.clone().into(), a.clone().into()]);
            }
        }
        Ok(())
    }
}
