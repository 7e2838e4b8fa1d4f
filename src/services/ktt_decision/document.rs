//! A KTT decision as the document people read (Administrative Procedure Act 434/2003
//! ss. 43-47: a written decision names the authority, the decider, the date, the party,
//! the matter, the reasons, the provisions applied and the appeal instructions), as HTML
//! for print, in Finnish or Swedish by the client's language.
//!
//! Reading it is reading the decision's fields: the same field mask and row scope, the same
//! access-log rows (REHAB, and IDENTITY and CONTACT for the client's name and code, each
//! only if the caller may read it). Out of scope and missing are the same `NOT_FOUND`.

use chrono::NaiveDate;
use entity::{agency, ktt_decision, provider};
use sea_orm::EntityTrait;

use crate::authz::{FieldGroup, FieldId, ReadAccess};
use crate::domain::ktt_decision::DecisionKind;
use crate::error::{AppError, AppResult};
use crate::services::client;
use crate::services::{loads, ClientScope, RequestContext};

/// The one style block of the document (named by its hash in the page's policy).
pub const STYLE: &str = "body{font-family:serif;max-width:44em;margin:2em auto;line-height:1.4}h1{font-size:1.4em}dt{font-weight:bold;margin-top:.6em}dd{margin-left:0}section{margin-top:1.5em}@media print{body{margin:0}}";

/// Whether the caller may read `field` of this client, and the log row that says so.
fn readable(rc: &RequestContext, scope: &ClientScope, field: FieldId, group: FieldGroup) -> bool {
    if !scope.visible {
        return false;
    }
    match rc.principal().field_access(field) {
        ReadAccess::Never => false,
        ReadAccess::Read => {
            rc.recorder.read(&scope.client_id, group, None);
            true
        }
        ReadAccess::Consent => match scope.consent_for(group) {
            Some(consent) => {
                rc.recorder.read(&scope.client_id, group, Some(consent));
                true
            }
            None => false,
        },
    }
}

/// The decision `id` as an HTML document, for an official who may read it.
pub async fn render(rc: &RequestContext, id: &str) -> AppResult<String> {
    // A role that never reads the decision's fields is refused before anything is read.
    if rc.principal().field_access(FieldId::KttDecisionNumber) == ReadAccess::Never {
        return Err(AppError::Forbidden(None));
    }
    let decision = loads::ktt_decision_in_scope(rc.db(), &rc.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = client::find(rc, &decision.client_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !readable(
        rc,
        &client.scope,
        FieldId::KttDecisionNumber,
        FieldGroup::Rehab,
    ) {
        return Err(AppError::NotFound);
    }
    let provider = match &decision.provider_id {
        Some(p) => provider::Entity::find_by_id(p.clone())
            .one(rc.db())
            .await?
            .map(|p| p.name),
        None => None,
    };
    let county = agency::Entity::find_by_id("EKSOTE".to_owned())
        .one(rc.db())
        .await?;
    let sv = decision.language == "sv";
    let county = county
        .map(|a| if sv { a.name_sv } else { a.name_fi })
        .unwrap_or_default();
    let name = readable(
        rc,
        &client.scope,
        FieldId::ClientLastName,
        FieldGroup::Contact,
    )
    .then(|| format!("{} {}", client.row.first_name, client.row.last_name));
    let code = readable(
        rc,
        &client.scope,
        FieldId::ClientPersonalIdentityCode,
        FieldGroup::Identity,
    )
    .then(|| client.row.personal_identity_code.clone());
    let appeal = if sv {
        &rc.settings.ktt_appeal_instructions_sv
    } else {
        &rc.settings.ktt_appeal_instructions_fi
    };
    Ok(html(&Document {
        decision: &decision,
        county: &county,
        name,
        code,
        provider,
        appeal,
    }))
}

struct Document<'a> {
    decision: &'a ktt_decision::Model,
    county: &'a str,
    name: Option<String>,
    code: Option<String>,
    provider: Option<String>,
    appeal: &'a str,
}

/// Escapes text for HTML.
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

fn date(d: NaiveDate) -> String {
    d.format("%-d.%-m.%Y").to_string()
}

fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, cents % 100)
}

/// The document's words in Finnish (`fi`) and Swedish (`sv`).
struct Words {
    title: &'static str,
    kind: fn(DecisionKind) -> &'static str,
    number: &'static str,
    client: &'static str,
    code: &'static str,
    decider: &'static str,
    decided_on: &'static str,
    served_on: &'static str,
    provider: &'static str,
    period: &'static str,
    days: &'static str,
    hours: &'static str,
    terminated_on: &'static str,
    toimintaraha: &'static str,
    per_day: &'static str,
    no_toimintaraha: &'static str,
    travel: &'static str,
    no_travel: &'static str,
    hearing: &'static str,
    heard_on: &'static str,
    not_heard: &'static str,
    reasons: &'static str,
    granted_as_asked: &'static str,
    basis: &'static str,
    appeal: &'static str,
}

const FI: Words = Words {
    title: "Päätös kuntouttavasta työtoiminnasta",
    kind: |k| match k {
        DecisionKind::Grant => "Myönteinen päätös",
        DecisionKind::Refuse => "Kielteinen päätös",
        DecisionKind::Change => "Muutospäätös",
        DecisionKind::Terminate => "Päätös kuntouttavan työtoiminnan lopettamisesta",
    },
    number: "Päätösnumero",
    client: "Asiakas",
    code: "Henkilötunnus",
    decider: "Päätöksen tekijä",
    decided_on: "Päätöspäivä",
    served_on: "Tiedoksianto",
    provider: "Toimintapaikka",
    period: "Jakso",
    days: "Päiviä viikossa",
    hours: "Tunteja päivässä",
    terminated_on: "Työtoiminta päättyy",
    toimintaraha: "Toimintaraha",
    per_day: "osallistumispäivältä",
    no_toimintaraha: "Ei toimintarahaa: kulukorvauksen maksaa Kela työttömyysetuuden yhteydessä",
    travel: "Matkakorvaus (edullisin kulkutapa)",
    no_travel: "Ei matkakorvausta",
    hearing: "Asiakkaan kuuleminen",
    heard_on: "Asiakasta on kuultu",
    not_heard: "Kuuleminen on jätetty toimittamatta",
    reasons: "Perustelut",
    granted_as_asked: "Päätös myöntää kuntouttavan työtoiminnan suunnitelman mukaisesti; perusteluja ei tarvita (hallintolaki 45 §).",
    basis: "Sovelletut säännökset",
    appeal: "Oikaisuvaatimusohje",
};

const SV: Words = Words {
    title: "Beslut om arbetsverksamhet i rehabiliteringssyfte",
    kind: |k| match k {
        DecisionKind::Grant => "Beviljande beslut",
        DecisionKind::Refuse => "Avslag",
        DecisionKind::Change => "Ändringsbeslut",
        DecisionKind::Terminate => "Beslut om avslutande av arbetsverksamheten",
    },
    number: "Beslutsnummer",
    client: "Klient",
    code: "Personbeteckning",
    decider: "Beslutsfattare",
    decided_on: "Beslutsdatum",
    served_on: "Delgivning",
    provider: "Verksamhetsställe",
    period: "Period",
    days: "Dagar per vecka",
    hours: "Timmar per dag",
    terminated_on: "Arbetsverksamheten upphör",
    toimintaraha: "Verksamhetspenning",
    per_day: "per deltagardag",
    no_toimintaraha: "Ingen verksamhetspenning: FPA betalar kostnadsersättningen med arbetslöshetsförmånen",
    travel: "Resekostnadsersättning (billigaste färdsätt)",
    no_travel: "Ingen resekostnadsersättning",
    hearing: "Hörande av klienten",
    heard_on: "Klienten har hörts",
    not_heard: "Hörandet har underlåtits",
    reasons: "Motivering",
    granted_as_asked: "Beslutet beviljar arbetsverksamhet enligt planen; motivering behövs inte (förvaltningslagen 45 §).",
    basis: "Tillämpade bestämmelser",
    appeal: "Anvisning om begäran om omprövning",
};

fn html(doc: &Document) -> String {
    let d = doc.decision;
    let sv = d.language == "sv";
    let w = if sv { &SV } else { &FI };
    let kind = DecisionKind::parse(&d.kind);
    let mut rows: Vec<(&str, String)> = vec![(w.number, esc(&d.decision_number))];
    if let Some(name) = &doc.name {
        rows.push((w.client, esc(name)));
    }
    if let Some(code) = &doc.code {
        rows.push((w.code, esc(code)));
    }
    rows.push((
        w.decider,
        format!("{}, {}", esc(&d.decider_name), esc(&d.decider_title)),
    ));
    rows.push((w.decided_on, date(d.decided_on)));
    rows.push((w.served_on, date(d.served_on)));
    if let Some(p) = &doc.provider {
        rows.push((w.provider, esc(p)));
    }
    match (d.starts_on, d.ends_on) {
        (Some(s), Some(e)) => rows.push((w.period, format!("{} – {}", date(s), date(e)))),
        (Some(s), None) => rows.push((w.period, format!("{} –", date(s)))),
        _ => {}
    }
    if let Some(n) = d.days_per_week {
        rows.push((w.days, n.to_string()));
    }
    if let Some(n) = d.hours_per_day {
        rows.push((w.hours, n.to_string()));
    }
    if let Some(t) = d.terminated_on {
        rows.push((w.terminated_on, date(t)));
    }
    if kind != Some(DecisionKind::Refuse) {
        rows.push((
            w.toimintaraha,
            if d.toimintaraha_cents_per_day > 0 {
                format!("{} {}", euros(d.toimintaraha_cents_per_day), w.per_day)
            } else {
                w.no_toimintaraha.to_owned()
            },
        ));
        rows.push((
            w.travel,
            if d.travel_cents_per_day > 0 {
                format!("{} {}", euros(d.travel_cents_per_day), w.per_day)
            } else {
                w.no_travel.to_owned()
            },
        ));
    }
    rows.push((
        w.hearing,
        match (d.hearing_on, &d.hearing_omitted_reason) {
            (Some(h), _) => format!("{} {}", w.heard_on, date(h)),
            (None, Some(r)) => format!("{}: {}", w.not_heard, esc(r)),
            (None, None) => String::new(),
        },
    ));
    let reasons = match &d.reasoning {
        Some(r) => esc(r),
        None => w.granted_as_asked.to_owned(),
    };
    let list: String = rows
        .iter()
        .map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>"))
        .collect();
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title} {number}</title><style>{STYLE}</style></head><body>\
<p>{county}</p><h1>{title}</h1><h2>{kind}</h2><dl>{list}</dl>\
<section><h3>{reasons_h}</h3><p>{reasons}</p></section>\
<section><h3>{basis_h}</h3><p>{basis}</p></section>\
<section><h3>{appeal_h}</h3><p>{appeal}</p></section></body></html>",
        lang = if sv { "sv" } else { "fi" },
        title = w.title,
        number = esc(&d.decision_number),
        county = esc(doc.county),
        kind = kind.map(w.kind).unwrap_or_default(),
        reasons_h = w.reasons,
        basis_h = w.basis,
        basis = esc(&d.legal_basis),
        appeal_h = w.appeal,
        appeal = esc(doc.appeal),
    )
}
