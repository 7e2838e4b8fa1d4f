//! Network meetings of a case, with participants, agenda and agency sections.

use super::*;

impl Gen<'_, '_> {
    pub(super) fn meetings(
        &mut self,
        client: &str,
        case_id: &str,
        plan_id: Option<&str>,
        opened: NaiveDate,
        ended: Option<NaiveDate>,
    ) -> Result<(), DbErr> {
        let last = ended.unwrap_or(anchor());
        let count = self.rng.range(1, 3);
        let mut day = plus_days(opened, 30);
        for k in 0..count {
            if day >= last {
                break;
            }
            self.meeting(client, case_id, plan_id, day, true, k)?;
            day = plus_days(day, self.rng.range(60, 150) as u64);
        }
        if ended.is_none() {
            let upcoming = plus_days(anchor(), self.rng.range(14, 60) as u64);
            self.meeting(client, case_id, plan_id, upcoming, false, count)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn meeting(
        &mut self,
        client: &str,
        case_id: &str,
        plan_id: Option<&str>,
        on: NaiveDate,
        held: bool,
        k: i64,
    ) -> Result<(), DbErr> {
        let id = self.rng.uuid();
        let officer = self.staff.typ_officer[(k as usize) % 3];
        let scheduled = on
            .and_hms_opt(9 + (k as u32 % 5), 0, 0)
            .unwrap_or_default()
            .and_utc();
        let (status, record, held_on): (&str, Option<&str>, Option<NaiveDate>) = if held {
            ("HELD", Some("Situation reviewed together; the client's own goals recorded; next steps agreed (fictional)."), Some(on))
        } else {
            ("SCHEDULED", None, None)
        };
        self.t.meeting.push(vec![
            id.clone().into(),
            case_id.into(),
            client.into(),
            scheduled.into(),
            Some("TYP service point, Lappeenranta").into(),
            status.into(),
            record.into(),
            held_on.into(),
            officer.id.clone().into(),
            at_noon(on).into(),
        ]);
        let people = [
            (officer, Agency::Te),
            (self.staff.eksote_worker, Agency::Eksote),
            (self.staff.kela_expert, Agency::Kela),
        ];
        for (o, _) in people
            .iter()
            .filter(|(o, _)| o.id != officer.id)
            .chain(std::iter::once(&(officer, officer.agency)))
        {
            self.t.participant.push(vec![
                self.rng.uuid().into(),
                id.clone().into(),
                "OFFICIAL".into(),
                Some(o.id.clone()).into(),
                Some(o.agency.code()).into(),
                Option::<String>::None.into(),
            ]);
        }
        self.t.participant.push(vec![
            self.rng.uuid().into(),
            id.clone().into(),
            "CLIENT".into(),
            Option::<String>::None.into(),
            Option::<String>::None.into(),
            Option::<String>::None.into(),
        ]);
        for (pos, agency) in [Agency::Te, Agency::Eksote, Agency::Kela]
            .into_iter()
            .enumerate()
        {
            let title = match agency {
                Agency::Te => "Job-search plan and services",
                Agency::Eksote => "KTT and social situation",
                _ => "Benefits and rehabilitation",
            };
            self.t.agenda.push(vec![
                self.rng.uuid().into(),
                id.clone().into(),
                agency.code().into(),
                ((pos + 1) as i32).into(),
                title.into(),
            ]);
        }
        if held {
            for (o, agency) in people {
                let body = match agency {
                    Agency::Eksote => *self.rng.pick(NOTES_SOCIAL),
                    Agency::Te => *self.rng.pick(NOTES_TE),
                    _ => *self.rng.pick(NOTES_KELA),
                };
                self.t.section.push(vec![
                    self.rng.uuid().into(),
                    id.clone().into(),
                    agency.code().into(),
                    body.into(),
                    o.id.clone().into(),
                ]);
            }
            for _ in 0..self.rng.range(1, 2) {
                let owner = *self.rng.pick(&[Agency::Te, Agency::Eksote, Agency::Kela]);
                let due = plus_days(on, self.rng.range(14, 90) as u64);
                let completed = if due < anchor() && self.rng.chance(60) {
                    Some(due)
                } else {
                    None
                };
                self.t.action.push(vec![
                    self.rng.uuid().into(),
                    case_id.into(),
                    plan_id.map(str::to_owned).into(),
                    Some(id.clone()).into(),
                    owner.code().into(),
                    (*self.rng.pick(ACTIONS)).into(),
                    due.into(),
                    completed.into(),
                    officer.id.clone().into(),
                    scheduled.into(),
                ]);
            }
        }
        Ok(())
    }
}
