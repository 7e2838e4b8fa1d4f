//! A client a profile planned: the case and KTT periods as planned, the rest drawn as for
//! any client.

use super::*;

impl Gen<'_, '_> {
    pub(super) fn planned_client(
        &mut self,
        codes: &mut HashSet<String>,
        planned: &PlannedClient,
    ) -> Result<(), DbErr> {
        let (id, social_assistance) = self.person(codes);
        let opened = planned.opened;
        let ended = planned.ended;
        let case_id = self.case(&id, opened, ended, Some(planned.track))?;
        self.consents(&id, opened)?;
        let until = ended.map(|e| e.0).unwrap_or(anchor());
        // The plan is made two months in, or when the first KTT period starts if sooner.
        let plan_made = planned
            .periods
            .first()
            .map(|p| p.starts)
            .unwrap_or(NaiveDate::MAX)
            .min(plus_months(opened, 2));
        let plan_id = if plan_made < until {
            Some(self.plan(&case_id, plan_made, social_assistance)?)
        } else {
            None
        };
        if let Some(plan_id) = &plan_id {
            self.actions(&case_id, plan_id, plan_made, until)?;
        }
        self.benefit(&id, social_assistance)?;
        for p in &planned.periods {
            self.placed(
                &id,
                &case_id,
                (p.starts, p.ends, p.days_per_week),
                p.early,
                social_assistance,
            )?;
        }
        self.assessment_and_obligation(&id, opened, until)?;
        // Individual support is mostly one-to-one coaching; others get it now and then.
        let coached = if planned.track == "INDIVIDUAL_SUPPORT" {
            60
        } else {
            8
        };
        if self.rng.chance(coached) {
            self.coaching(&id, opened, until);
        }
        if self.rng.chance(40) || ended.is_none() && self.index % 5 == 0 {
            self.meetings(
                &id,
                &case_id,
                plan_id.as_deref(),
                opened,
                ended.map(|e| e.0),
            )?;
        }
        for _ in 0..self.rng.range(0, 2) {
            let agency = *self.rng.pick(&[Agency::Eksote, Agency::Te, Agency::Kela]);
            let shared = self.rng.chance(35);
            self.note(&id, agency, shared)?;
        }
        Ok(())
    }
}
