//! The `labels` query: display labels from `config/labels.json`.

use async_graphql::{Context, SimpleObject};

use crate::error::AppError;
use crate::labels::{labels, Language};

/// The language of the request's `Accept-Language` header, when it names fi, sv or en.
#[derive(Debug, Clone, Copy)]
pub struct RequestLanguage(pub Option<Language>);

/// One code and its label.
#[derive(SimpleObject)]
pub struct Label {
    pub code: String,
    pub label: String,
}

/// The labels of one kind (an enum, or agency names).
#[derive(SimpleObject)]
pub struct LabelKind {
    pub kind: String,
    pub labels: Vec<Label>,
}

/// Labels in one language.
#[derive(SimpleObject)]
pub struct LabelSet {
    pub language: Language,
    pub kinds: Vec<LabelKind>,
}

/// The labels of `kinds` (all when none), in `language`, else the request's
/// `Accept-Language`, else Finnish.
pub fn label_set(
    ctx: &Context<'_>,
    language: Option<Language>,
    kinds: Option<Vec<String>>,
) -> Result<LabelSet, AppError> {
    let header = ctx.data_opt::<RequestLanguage>().and_then(|r| r.0);
    let language = language.or(header).unwrap_or_default();
    let all = labels().map_err(AppError::internal)?;
    let wanted: Vec<String> = match kinds {
        Some(k) => {
            if let Some(unknown) = k.iter().find(|k| !all.0.contains_key(k.as_str())) {
                return Err(AppError::bad_input(
                    "kinds",
                    format!("no labels of kind {unknown:.40}"),
                ));
            }
            k
        }
        None => all.0.keys().cloned().collect(),
    };
    Ok(LabelSet {
        language,
        kinds: wanted
            .into_iter()
            .map(|kind| LabelKind {
                labels: all.0[&kind]
                    .iter()
                    .map(|(code, t)| Label {
                        code: code.clone(),
                        label: t.get(language).to_owned(),
                    })
                    .collect(),
                kind,
            })
            .collect(),
    })
}
