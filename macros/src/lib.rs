//! `#[guarded]`: the client-data fields of a typgraph GraphQL object, each generated from one
//! marker naming its entry in the field table (`src/authz/fields.rs`).
//!
//! Placed above `#[Object(...)]` on an impl block, it requires every method to be marked:
//!
//! - `#[unguarded]`: no client data (an `id`, a nested object whose own fields are guarded);
//!   left as written.
//! - `#[field(FieldIdName, ...)]`: a client-data field. The method is written as if the value
//!   were always readable: `fn phone(&self) -> Option<&str>`, `fn opened_on(&self) -> Date`, or
//!   for a loader-backed field `async fn cases(&self, ctx: &Context<'_>) -> Result<Vec<T>>`.
//!   A field whose value is one expression gives it in the marker and has no body:
//!   `#[field(ClientPhone = self.row.phone.as_deref())] fn phone(&self) -> Option<&str>;`.
//!   The generated resolver carries the field's introspection visibility
//!   (`crate::authz::fields::visible::FieldIdName`) and `@fieldGroup` directive, runs the field
//!   guard, and only then evaluates the method. It returns `Result<Option<T>>`: every field
//!   that can be withheld is nullable.
//!
//! A method with neither marker does not compile, so a client-data field cannot be added
//! without its field group. The guard is chosen by what follows the field's name:
//!
//! - nothing: `guard::read`, the field's fixed group under the caller's mask and consents;
//! - `shared`: `guard::read_shared`, a shared TYP record, absent for a client who is not one;
//! - `own`: `guard::read_own` with the group of the row's author (the node implements
//!   `guard::OwnRecord`); `own(author, shared)` gives the two explicitly;
//! - `body_guards(name)`: the method guards itself, with `name` bound to the `FieldId`;
//!   it must use it.
//!
//! `check = expr` adds a check of the arguments (a `Result`) that runs before the guard, so
//! that bad input keeps its error whoever asks.
//!
//! The object's client scope is `self.scope`, or as given: `#[guarded(scope = self.client.scope)]`.
//! `#[guarded(id = self.row.id)]` adds the object's opaque identifier, `id: ID!`, as its first
//! field (it is no client data).
//!
//! The generated code names typgraph's own paths (`crate::...`): the macro serves that crate
//! only.

use proc_macro::TokenStream;
use proc_macro2::{TokenStream as Tokens, TokenTree};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{
    parse_quote, Attribute, Error, Expr, FnArg, GenericArgument, Ident, ImplItem, ImplItemFn,
    ItemImpl, LitStr, Pat, PathArguments, ReturnType, Token, TraitItemFn, Type, Visibility,
};

/// Generates the guarded fields of a GraphQL object; see the crate documentation.
#[proc_macro_attribute]
pub fn guarded(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = syn::parse_macro_input!(args as Args);
    let item = syn::parse_macro_input!(item as ItemImpl);
    expand(&args, item)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// `#[guarded]`, with `scope = <expression>` and `id = <expression>` as needed.
struct Args {
    scope: Expr,
    id: Option<Expr>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args {
            scope: parse_quote!(self.scope),
            id: None,
        };
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "scope" => args.scope = input.parse()?,
                "id" => args.id = Some(input.parse()?),
                _ => {
                    return Err(Error::new(
                        key.span(),
                        "expected `scope = ...` or `id = ...`",
                    ))
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// How the field is guarded.
enum Rule {
    Read,
    Shared,
    Own(Option<Box<(Expr, Expr)>>),
    Body(Ident),
}

/// The arguments of `#[field(...)]`.
struct Marker {
    field: Ident,
    /// The value of a field written without a body.
    value: Option<Expr>,
    rule: Rule,
    check: Option<Expr>,
}

impl Parse for Marker {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let field = input.parse()?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        let mut marker = Marker {
            field,
            value,
            rule: Rule::Read,
            check: None,
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            let key: Ident = input.parse()?;
            let rule = match key.to_string().as_str() {
                "shared" => Rule::Shared,
                "own" if input.peek(syn::token::Paren) => {
                    let inner;
                    syn::parenthesized!(inner in input);
                    let author = inner.parse()?;
                    inner.parse::<Token![,]>()?;
                    Rule::Own(Some(Box::new((author, inner.parse()?))))
                }
                "own" => Rule::Own(None),
                "body_guards" => {
                    let inner;
                    syn::parenthesized!(inner in input);
                    Rule::Body(inner.parse()?)
                }
                "check" => {
                    input.parse::<Token![=]>()?;
                    marker.check = Some(input.parse()?);
                    continue;
                }
                _ => {
                    return Err(Error::new(
                        key.span(),
                        "expected `shared`, `own`, `own(author, shared)`, `body_guards(name)` or `check = expr`",
                    ))
                }
            };
            if !matches!(marker.rule, Rule::Read) {
                return Err(Error::new(key.span(), "a field has one guard rule"));
            }
            marker.rule = rule;
        }
        Ok(marker)
    }
}

/// What a method of a guarded object is marked as.
enum Mark {
    Field(Box<Marker>),
    Unguarded,
}

fn expand(args: &Args, mut item: ItemImpl) -> syn::Result<Tokens> {
    let mut helpers = Vec::new();
    for impl_item in &mut item.items {
        let bodiless = match impl_item {
            ImplItem::Fn(_) => false,
            ImplItem::Verbatim(tokens) => {
                *impl_item = ImplItem::Fn(without_body(syn::parse2(tokens.clone())?));
                true
            }
            _ => continue,
        };
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        match (take_mark(method)?, bodiless) {
            (Mark::Unguarded, false) => {}
            (Mark::Field(marker), _) => {
                match (&marker.value, bodiless) {
                    (Some(value), true) => method.block = parse_quote!({ #value }),
                    (None, false) => {}
                    (Some(_), false) => {
                        return Err(Error::new(
                            marker.field.span(),
                            "a field with a body takes no value in its marker",
                        ))
                    }
                    _ => return Err(Error::new(method.sig.ident.span(), "a field without a body gives its value: `#[field(FieldIdName = expression)]`")),
                }
                helpers.push(field(&args.scope, &marker, method)?);
            }
            (Mark::Unguarded, true) => {
                return Err(Error::new(
                    method.sig.ident.span(),
                    "an unguarded field has a body",
                ))
            }
        }
    }
    if let Some(id) = &args.id {
        item.items.insert(
            0,
            parse_quote! {
                /// Opaque identifier, unique across every type (the global id of Relay's
                /// `Node` where the type implements it).
                pub async fn id(&self) -> ::async_graphql::ID {
                    ::async_graphql::ID(::std::clone::Clone::clone(&#id))
                }
            },
        );
    }
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    Ok(quote! {
        #item
        impl #impl_generics #self_ty #where_clause {
            #(#helpers)*
        }
    })
}

/// A method written without a body (`fn name(&self) -> T;`), its body still to be given.
fn without_body(method: TraitItemFn) -> ImplItemFn {
    ImplItemFn {
        attrs: method.attrs,
        vis: Visibility::Inherited,
        defaultness: None,
        sig: method.sig,
        block: parse_quote!({}),
    }
}

/// Removes the method's marker and returns it; a method without one is an error.
fn take_mark(method: &mut ImplItemFn) -> syn::Result<Mark> {
    let mut mark = None;
    let mut kept = Vec::new();
    for attr in std::mem::take(&mut method.attrs) {
        let this = if attr.path().is_ident("field") {
            Mark::Field(Box::new(attr.parse_args()?))
        } else if attr.path().is_ident("unguarded") {
            attr.meta.require_path_only()?;
            Mark::Unguarded
        } else {
            kept.push(attr);
            continue;
        };
        if mark.replace(this).is_some() {
            return Err(Error::new_spanned(attr, "a field has one marker"));
        }
    }
    method.attrs = kept;
    mark.ok_or_else(|| {
        Error::new(
            method.sig.ident.span(),
            format!(
                "`{}` is a field of a guarded object: mark it `#[field(FieldIdName)]` with its entry in the field table (src/authz/fields.rs), or `#[unguarded]` if it carries no client data",
                method.sig.ident
            ),
        )
    })
}

/// Turns `method` into the guarded resolver and returns the method as written, renamed, for
/// the resolver to call once the guard has passed.
fn field(scope: &Expr, marker: &Marker, method: &mut ImplItemFn) -> syn::Result<ImplItemFn> {
    let sig = &method.sig;
    let name = &sig.ident;
    let helper_name = format_ident!("__guarded_{}", name);
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
        _ => return Err(Error::new(name.span(), "a guarded field takes `&self`")),
    }
    let mut call_args = Vec::new();
    let mut params = Vec::new();
    for (i, arg) in inputs.enumerate() {
        let FnArg::Typed(param) = arg else {
            return Err(Error::new(
                name.span(),
                "a guarded field takes `&self` once",
            ));
        };
        if i == 0 && is_context(&param.ty) {
            call_args.push(quote!(ctx));
            continue;
        }
        let Pat::Ident(pat) = &*param.pat else {
            return Err(Error::new_spanned(
                &param.pat,
                "a field argument is a plain name",
            ));
        };
        let ident = &pat.ident;
        call_args.push(quote!(#ident));
        params.push(param.clone());
    }
    let ReturnType::Type(_, value_ty) = &sig.output else {
        return Err(Error::new(name.span(), "a guarded field returns its value"));
    };
    let (fallible, ty) = unwrap_generic("Result", value_ty);
    let (optional, out) = unwrap_generic("Option", ty);

    let await_ = sig.asyncness.map(|_| quote!(.await));
    let mut value = quote!(self.#helper_name(#(#call_args),*) #await_);
    if fallible {
        value = quote!(#value?);
    }
    if !optional {
        value = quote!(::core::option::Option::Some(#value));
    }

    let field = &marker.field;
    let id = quote!(crate::authz::FieldId::#field);
    let guard = match &marker.rule {
        Rule::Read => quote!(crate::graphql::engine::guard::read(ctx, &#scope, #id, ())?;),
        Rule::Shared => {
            quote!(crate::graphql::engine::guard::read_shared(ctx, &#scope, #id, || ())?;)
        }
        Rule::Own(None) => quote! {
            crate::graphql::engine::guard::read_own(
                ctx,
                &#scope,
                crate::graphql::engine::guard::OwnRecord::author(self),
                crate::graphql::engine::guard::OwnRecord::shared(self),
                (),
            )?;
        },
        Rule::Own(Some(given)) => {
            let (author, shared) = &**given;
            quote!(crate::graphql::engine::guard::read_own(ctx, &#scope, #author, #shared, ())?;)
        }
        Rule::Body(_) => quote!(),
    };
    let check = marker.check.as_ref().map(|c| quote!(#c?;));

    let mut helper = method.clone();
    helper.sig.ident = helper_name;
    helper.attrs.retain(|a| !is_doc_or_graphql(a));
    for arg in &mut helper.sig.inputs {
        if let FnArg::Typed(param) = arg {
            param.attrs.clear();
        }
    }
    if let Rule::Body(binding) = &marker.rule {
        if !mentions(
            method
                .block
                .stmts
                .iter()
                .map(quote::ToTokens::to_token_stream),
            binding,
        ) {
            return Err(Error::new(
                binding.span(),
                format!("`body_guards({binding})`: the body must guard the field with `{binding}`"),
            ));
        }
        helper
            .block
            .stmts
            .insert(0, parse_quote!(let #binding = #id;));
    }

    let mut options = Vec::new();
    for attr in method.attrs.iter().filter(|a| a.path().is_ident("graphql")) {
        options.push(attr.meta.require_list()?.tokens.clone());
    }
    let visible = LitStr::new(
        &format!("crate::authz::fields::visible::{field}"),
        field.span(),
    );
    options.push(quote! {
        visible = #visible,
        directive = crate::graphql::engine::directive::fieldGroup::apply(
            crate::graphql::engine::directive::group_of(#id)
        )
    });
    let attrs = method
        .attrs
        .iter()
        .filter(|a| !a.path().is_ident("graphql"));
    *method = parse_quote! {
        #(#attrs)*
        #[graphql(#(#options),*)]
        // `Ok(value?)` converts the method's error, whatever its type.
        #[allow(clippy::needless_question_mark)]
        async fn #name(
            &self,
            ctx: &::async_graphql::Context<'_>,
            #(#params),*
        ) -> ::async_graphql::Result<::core::option::Option<#out>> {
            let answer = async {
                #check
                #guard
                ::core::result::Result::<_, ::async_graphql::Error>::Ok(#value)
            }
            .await;
            // A guarded field is nullable: a refusal (or any error) nulls it where it stands.
            crate::graphql::engine::nulls::in_place(ctx, answer)
        }
    };
    Ok(helper)
}

fn is_doc_or_graphql(attr: &Attribute) -> bool {
    attr.path().is_ident("doc") || attr.path().is_ident("graphql")
}

/// Whether `ty` is `&Context<'_>` (async-graphql's resolver context).
fn is_context(ty: &Type) -> bool {
    let Type::Reference(r) = ty else {
        return false;
    };
    matches!(&*r.elem, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Context"))
}

/// `(true, T)` if `ty` is `wrapper<T, ...>`, else `(false, ty)`.
fn unwrap_generic<'a>(wrapper: &str, ty: &'a Type) -> (bool, &'a Type) {
    if let Type::Path(p) = ty {
        if let Some(last) = p.path.segments.last() {
            if last.ident == wrapper {
                if let PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(GenericArgument::Type(inner)) = args.args.first() {
                        return (true, inner);
                    }
                }
            }
        }
    }
    (false, ty)
}

/// Whether any of `tokens` (searched into groups) is the identifier `ident`.
fn mentions(tokens: impl IntoIterator<Item = Tokens>, ident: &Ident) -> bool {
    tokens.into_iter().flatten().any(|t| match t {
        TokenTree::Ident(i) => i == *ident,
        TokenTree::Group(g) => mentions([g.stream()], ident),
        _ => false,
    })
}
