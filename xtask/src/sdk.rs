//! The per-operation code of the `authlete` crate, generated from the spec's vendor extensions
//! (`x-rust-method`, `x-credentials`, `x-v2-path`, ...) and the signatures of the generated
//! `authlete-sys` client: the client methods, the route table, the query structs, the blocking
//! facade, the paging helpers and the operation tests' table.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, Parameter, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Value, json};
use syn::visit_mut::VisitMut;

/// Everything the generated code needs to know about one operation.
pub struct Operation {
    pub id: String,
    pub http_method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub deprecated: bool,
    pub rust_method: String,
    pub java_method: Option<String>,
    pub credentials: Credentials,
    pub v2_path: Option<String>,
    /// The caller names the service (`x-service-id: argument`).
    pub service_id_argument: bool,
    pub body_name: String,
    /// The sys method's parameters, in its order.
    pub params: Vec<Param>,
    pub answer: Answer,
    pub pages: Option<Pages>,
    /// The status of a successful answer.
    pub success_status: u16,
    /// The 200 answer's schema, for the sample answer of the tests.
    pub response_schema: Option<ReferenceOr<Schema>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    Service,
    ServiceOwner,
    ServiceOwnerPreferred,
    None,
}

pub struct Param {
    /// The Rust name (the sys client's).
    pub name: String,
    /// The name on the wire.
    pub wire_name: String,
    pub kind: ParamKind,
    /// The sys client's type, without lifetimes, with `types::` paths.
    pub ty: syn::Type,
    pub description: String,
    pub schema: Option<ReferenceOr<Schema>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    ServiceId,
    Path,
    RequiredQuery,
    OptionalQuery,
    Body,
}

pub enum Answer {
    Json(syn::Type),
    /// JSON, or `204 No Content` read as the type's default.
    JsonOrEmpty(syn::Type),
    Empty,
    Text,
}

pub struct Pages {
    pub field: String,
    pub items_method: String,
    pub pages_method: String,
    /// The element type of the list field.
    pub item_type: String,
}

impl Operation {
    fn route_const(&self) -> syn::Ident {
        format_ident!("{}", self.id.to_shouty_snake_case())
    }

    fn optional_query(&self) -> Vec<&Param> {
        self.params
            .iter()
            .filter(|p| p.kind == ParamKind::OptionalQuery)
            .collect()
    }

    /// Several optional query parameters travel in one struct, so that two of one type
    /// cannot be swapped silently.
    pub fn query_struct(&self) -> Option<syn::Ident> {
        (self.optional_query().len() >= 2)
            .then(|| format_ident!("{}Query", self.rust_method.to_upper_camel_case()))
    }

    /// The Rust method's arguments, in order: the service (when named by the caller), the
    /// path parameters, the required query parameters, the body, then the optional query
    /// parameters (one of them alone, or several in the query struct).
    fn arguments(&self) -> Vec<(syn::Ident, TokenStream)> {
        let mut args = Vec::new();
        let by_kind = |kind: ParamKind| self.params.iter().filter(move |p| p.kind == kind);
        if self.service_id_argument {
            args.push((format_ident!("service_id"), quote!(&str)));
        }
        for p in by_kind(ParamKind::Path).chain(by_kind(ParamKind::RequiredQuery)) {
            let ty = &p.ty;
            args.push((format_ident!("{}", p.name), quote!(#ty)));
        }
        for p in by_kind(ParamKind::Body) {
            let name = format_ident!("{}", self.body_name);
            args.push((name, body_argument_type(&p.ty)));
        }
        if let Some(query) = self.query_struct() {
            args.push((format_ident!("query"), quote!(&crate::query::#query)));
        } else {
            for p in by_kind(ParamKind::OptionalQuery) {
                let ty = &p.ty;
                args.push((format_ident!("{}", p.name), quote!(#ty)));
            }
        }
        args
    }

    fn success_type(&self) -> TokenStream {
        match &self.answer {
            Answer::Json(ty) | Answer::JsonOrEmpty(ty) => quote!(#ty),
            Answer::Empty => quote!(()),
            Answer::Text => quote!(String),
        }
    }
}

/// A body the sys client takes as `&Vec<T>` is taken by value (a list is built for the call);
/// any other body by reference.
fn body_argument_type(ty: &syn::Type) -> TokenStream {
    if let syn::Type::Reference(reference) = ty {
        let inner = &reference.elem;
        if quote!(#inner).to_string().contains("Vec") {
            return quote!(#inner);
        }
    }
    quote!(#ty)
}

// ---------------------------------------------------------------------------------------------
// Reading the spec and the sys client
// ---------------------------------------------------------------------------------------------

fn extension_str<'a>(op: &'a openapiv3::Operation, key: &str) -> Option<&'a str> {
    op.extensions.get(key).and_then(Value::as_str)
}

/// Reads every operation's facts, failing on an operation whose extensions are missing or
/// inconsistent.
pub fn operations(spec: &OpenAPI, sys: &syn::File) -> Result<Vec<Operation>, String> {
    let signatures = sys_signatures(sys)?;
    let mut out = Vec::new();
    for (path, item) in spec.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            return Err(format!("{path}: path references are not supported"));
        };
        for (method, op) in item.iter() {
            out.push(operation(
                spec,
                path,
                method,
                op,
                &item.parameters,
                &signatures,
            )?);
        }
    }
    let mut names: Vec<&str> = out.iter().map(|o| o.rust_method.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("two operations have x-rust-method `{}`", w[0]));
    }
    Ok(out)
}

fn operation(
    spec: &OpenAPI,
    path: &str,
    method: &str,
    op: &openapiv3::Operation,
    path_parameters: &[ReferenceOr<Parameter>],
    signatures: &[(String, syn::Signature)],
) -> Result<Operation, String> {
    let id = op
        .operation_id
        .clone()
        .ok_or_else(|| format!("{method} {path}: no operationId"))?;
    let need = |key: &str| {
        extension_str(op, key)
            .map(str::to_string)
            .ok_or_else(|| format!("{id}: no {key}"))
    };
    let rust_method = need("x-rust-method")?;
    let credentials = match need("x-credentials")?.as_str() {
        "service" => Credentials::Service,
        "service-owner" => Credentials::ServiceOwner,
        "service-owner-preferred" => Credentials::ServiceOwnerPreferred,
        "none" => Credentials::None,
        other => return Err(format!("{id}: unknown x-credentials `{other}`")),
    };
    let v3_only = op.extensions.get("x-v3-only") == Some(&Value::Bool(true));
    let v2_path = extension_str(op, "x-v2-path").map(str::to_string);
    if v3_only == v2_path.is_some() {
        return Err(format!(
            "{id}: give exactly one of x-v2-path and `x-v3-only: true`"
        ));
    }
    let service_id_argument = match extension_str(op, "x-service-id") {
        None => false,
        Some("argument") => true,
        Some(other) => return Err(format!("{id}: unknown x-service-id `{other}`")),
    };
    let no_content_is_empty = match extension_str(op, "x-no-content") {
        None => false,
        Some("empty") => true,
        Some(other) => return Err(format!("{id}: unknown x-no-content `{other}`")),
    };

    let signature = signatures
        .iter()
        .find(|(name, _)| *name == id.to_snake_case())
        .map(|(_, sig)| sig)
        .ok_or_else(|| {
            format!(
                "{id}: the generated sys client has no method `{}`",
                id.to_snake_case()
            )
        })?;

    let spec_params: Vec<Parameter> = path_parameters
        .iter()
        .chain(&op.parameters)
        .map(|p| resolve_parameter(spec, p))
        .collect::<Result<_, _>>()?;

    let mut params = Vec::new();
    for input in signature.inputs.iter().skip(1) {
        let syn::FnArg::Typed(typed) = input else {
            return Err(format!("{id}: unexpected receiver"));
        };
        let syn::Pat::Ident(name) = &*typed.pat else {
            return Err(format!("{id}: unexpected parameter pattern"));
        };
        let name = name.ident.to_string();
        let mut ty = (*typed.ty).clone();
        PlainTypes.visit_type_mut(&mut ty);
        let param = if name == "body" {
            Param {
                name,
                wire_name: String::new(),
                kind: ParamKind::Body,
                ty,
                description: String::new(),
                schema: request_schema(op),
            }
        } else {
            let data = spec_params
                .iter()
                .map(Parameter::parameter_data_ref)
                .find(|d| d.name.to_snake_case() == name)
                .ok_or_else(|| format!("{id}: no spec parameter for `{name}`"))?;
            let kind = match spec_params
                .iter()
                .find(|p| p.parameter_data_ref().name == data.name)
            {
                Some(Parameter::Path { .. }) if data.name == "serviceId" => ParamKind::ServiceId,
                Some(Parameter::Path { .. }) => ParamKind::Path,
                Some(Parameter::Query { .. }) if data.required => ParamKind::RequiredQuery,
                Some(Parameter::Query { .. }) => ParamKind::OptionalQuery,
                _ => {
                    return Err(format!(
                        "{id}: `{name}` is neither in the path nor the query"
                    ));
                }
            };
            let schema = match &data.format {
                openapiv3::ParameterSchemaOrContent::Schema(s) => Some(s.clone()),
                _ => None,
            };
            Param {
                name,
                wire_name: data.name.clone(),
                kind,
                ty,
                description: data.description.clone().unwrap_or_default(),
                schema,
            }
        };
        params.push(param);
    }
    if service_id_argument != params.iter().any(|p| p.kind == ParamKind::ServiceId)
        && service_id_argument
    {
        return Err(format!(
            "{id}: x-service-id: argument, but the path has no serviceId"
        ));
    }

    let answer = match sys_success_type(signature)? {
        None => Answer::Empty,
        Some(ty) if quote!(#ty).to_string().contains("ByteStream") => Answer::Text,
        Some(ty) if no_content_is_empty => Answer::JsonOrEmpty(ty),
        Some(ty) => Answer::Json(ty),
    };

    let response_schema = response_schema(op);
    let pages = match op.extensions.get("x-pages") {
        None => None,
        Some(pages) => {
            let get = |key: &str| {
                pages
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| format!("{id}: x-pages has no `{key}`"))
            };
            let field = get("field")?;
            let item_type =
                list_item_type(spec, response_schema.as_ref(), &field).ok_or_else(|| {
                    format!("{id}: x-pages field `{field}` is not a list of a named schema")
                })?;
            let names: Vec<&str> = params
                .iter()
                .filter(|p| p.kind == ParamKind::OptionalQuery)
                .map(|p| p.name.as_str())
                .collect();
            if !(names.contains(&"start") && names.contains(&"end")) {
                return Err(format!(
                    "{id}: x-pages needs optional start and end parameters"
                ));
            }
            Some(Pages {
                field,
                items_method: get("items")?,
                pages_method: get("pages")?,
                item_type,
            })
        }
    };

    let success_status = op
        .responses
        .responses
        .keys()
        .find_map(|code| match code {
            openapiv3::StatusCode::Code(code) if (200..300).contains(code) => Some(*code),
            _ => None,
        })
        .ok_or_else(|| format!("{id}: no success status"))?;

    Ok(Operation {
        success_status,
        id: id.clone(),
        http_method: method.to_uppercase(),
        path: path.to_string(),
        summary: op
            .summary
            .clone()
            .ok_or_else(|| format!("{id}: no summary"))?,
        description: op.description.clone().unwrap_or_default(),
        deprecated: op.deprecated,
        rust_method,
        java_method: extension_str(op, "x-java-method").map(str::to_string),
        credentials,
        v2_path,
        service_id_argument,
        body_name: extension_str(op, "x-rust-body")
            .unwrap_or("request")
            .to_string(),
        params,
        answer,
        pages,
        response_schema,
    })
}

fn resolve_parameter(spec: &OpenAPI, p: &ReferenceOr<Parameter>) -> Result<Parameter, String> {
    match p {
        ReferenceOr::Item(p) => Ok(p.clone()),
        ReferenceOr::Reference { reference } => {
            let name = reference
                .strip_prefix("#/components/parameters/")
                .ok_or_else(|| format!("unsupported parameter reference {reference}"))?;
            match spec
                .components
                .as_ref()
                .and_then(|c| c.parameters.get(name))
            {
                Some(ReferenceOr::Item(p)) => Ok(p.clone()),
                _ => Err(format!("unresolved parameter reference {reference}")),
            }
        }
    }
}

fn request_schema(op: &openapiv3::Operation) -> Option<ReferenceOr<Schema>> {
    let ReferenceOr::Item(body) = op.request_body.as_ref()? else {
        return None;
    };
    body.content.get("application/json")?.schema.clone()
}

fn response_schema(op: &openapiv3::Operation) -> Option<ReferenceOr<Schema>> {
    let response = op
        .responses
        .responses
        .get(&openapiv3::StatusCode::Code(200))?;
    let ReferenceOr::Item(response) = response else {
        return None;
    };
    response.content.get("application/json")?.schema.clone()
}

/// `types::Service` for a property `field` that is a list of `Service`.
fn list_item_type(
    spec: &OpenAPI,
    schema: Option<&ReferenceOr<Schema>>,
    field: &str,
) -> Option<String> {
    let schema = resolve_schema(spec, schema?)?;
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return None;
    };
    let ReferenceOr::Item(property) = object.properties.get(field)? else {
        return None;
    };
    let SchemaKind::Type(Type::Array(array)) = &property.schema_kind else {
        return None;
    };
    match array.items.as_ref()? {
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/schemas/")
            .map(str::to_string),
        ReferenceOr::Item(_) => None,
    }
}

fn resolve_schema<'a>(spec: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/schemas/")?;
            match spec.components.as_ref()?.schemas.get(name)? {
                ReferenceOr::Item(s) => Some(s),
                other @ ReferenceOr::Reference { .. } => resolve_schema(spec, other),
            }
        }
    }
}

/// The methods of the sys client's `impl Client`, by name.
fn sys_signatures(sys: &syn::File) -> Result<Vec<(String, syn::Signature)>, String> {
    let mut out = Vec::new();
    for item in &sys.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(ty) = &*imp.self_ty else {
            continue;
        };
        if !ty.path.is_ident("Client") {
            continue;
        }
        for item in &imp.items {
            if let syn::ImplItem::Fn(f) = item
                && f.sig.asyncness.is_some()
            {
                out.push((f.sig.ident.to_string(), f.sig.clone()));
            }
        }
    }
    if out.is_empty() {
        return Err("found no async methods in the generated sys client".into());
    }
    Ok(out)
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`; `None` for `()`.
fn sys_success_type(sig: &syn::Signature) -> Result<Option<syn::Type>, String> {
    let fail = || format!("{}: unexpected return type", sig.ident);
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return Err(fail());
    };
    let first_argument = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(path) = ty else {
            return None;
        };
        let last = path.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        }
    };
    let value = first_argument(ty).ok_or_else(fail)?;
    let mut inner = first_argument(&value).ok_or_else(fail)?;
    if matches!(&inner, syn::Type::Tuple(t) if t.elems.is_empty()) {
        return Ok(None);
    }
    PlainTypes.visit_type_mut(&mut inner);
    Ok(Some(inner))
}

/// Drops lifetimes and writes `crate::types::X` as `types::X`, as the `authlete` crate names it.
struct PlainTypes;

impl VisitMut for PlainTypes {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        r.lifetime = None;
        syn::visit_mut::visit_type_reference_mut(self, r);
    }
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if names.len() > 2 && names[0] == "crate" && names[1] == "types" {
            path.segments = path.segments.iter().skip(1).cloned().collect();
        }
        if names.first().is_some_and(|n| n == "ByteStream") {
            *path = syn::parse_quote!(authlete_sys::ByteStream);
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

// ---------------------------------------------------------------------------------------------
// Documentation
// ---------------------------------------------------------------------------------------------

fn doc_lines(text: &str) -> Vec<TokenStream> {
    text.lines()
        .map(|line| {
            let line = format!(" {line}");
            quote!(#[doc = #line])
        })
        .collect()
}

fn method_docs(op: &Operation) -> Vec<TokenStream> {
    let mut text = format!("{}.\n\n", op.summary);
    if !op.description.is_empty() {
        text.push_str(&format!("{}\n\n", op.description));
    }
    text.push_str(&format!("`{} {}` (`{}`", op.http_method, op.path, op.id));
    if let Some(java) = &op.java_method {
        text.push_str(&format!("; `{java}` in Authlete's Java SDK"));
    }
    text.push_str(").\n");
    match &op.v2_path {
        Some(v2) if *v2 != op.path.replace("/{serviceId}", "") => {
            text.push_str(&format!("In API generation 2 this calls `{v2}`.\n"));
        }
        Some(_) => {}
        None => text.push_str(
            "Authlete's API generation 2 lacks this operation: with a V2 configuration the call \
             fails with [`Error::UnsupportedInV2`] before anything is sent.\n",
        ),
    }
    match op.credentials {
        Credentials::Service => {}
        Credentials::ServiceOwner => text.push_str(
            "Authenticates with the service-owner credentials (an organization token in V3 when \
             configured).\n",
        ),
        Credentials::ServiceOwnerPreferred => text.push_str(
            "In API generation 2 this authenticates with the service-owner key and secret when \
             configured, else with the service's.\n",
        ),
        Credentials::None => text.push_str("Sends no credentials.\n"),
    }
    if op.query_struct().is_none()
        && let [single] = op.optional_query().as_slice()
    {
        text.push_str(&format!(
            "\n`{}` (`{}`): {}\n",
            single.name, single.wire_name, single.description
        ));
    }
    doc_lines(text.trim_end())
}

fn deprecation(op: &Operation) -> TokenStream {
    if op.deprecated {
        quote!(#[deprecated(note = "the spec marks this operation deprecated; see its documentation for the form to use instead")])
    } else {
        quote!()
    }
}

// ---------------------------------------------------------------------------------------------
// authlete/src/operations.rs
// ---------------------------------------------------------------------------------------------

/// The call of the sys request builder, its arguments in the sys order.
fn sys_call(op: &Operation) -> TokenStream {
    let sys = format_ident!("{}_request", op.id.to_snake_case());
    let query_struct = op.query_struct().is_some();
    let args = op.params.iter().map(|p| {
        let name = format_ident!("{}", p.name);
        match p.kind {
            ParamKind::ServiceId if op.service_id_argument => quote!(service_id),
            ParamKind::ServiceId => quote!(service),
            ParamKind::Body => {
                let body = format_ident!("{}", op.body_name);
                if body_argument_type(&p.ty).to_string().starts_with('&') {
                    quote!(#body)
                } else {
                    // Taken by value, lent to the sys client.
                    quote!(&#body)
                }
            }
            ParamKind::OptionalQuery if query_struct => query_field_read(p),
            _ => quote!(#name),
        }
    });
    quote!(sys.#sys(#(#args),*))
}

/// Reads a query struct's field as the sys method takes it.
fn query_field_read(p: &Param) -> TokenStream {
    let name = format_ident!("{}", p.name);
    let ty = &p.ty;
    let ty = quote!(#ty).to_string();
    if ty.contains("& str") {
        quote!(query.#name.as_deref())
    } else if option_of_reference(&p.ty).is_some() {
        quote!(query.#name.as_ref())
    } else if ["i32", "i64", "bool"]
        .iter()
        .any(|t| ty == format!("Option < {t} >"))
    {
        quote!(query.#name)
    } else {
        quote!(query.#name.clone())
    }
}

pub fn client_methods(ops: &[Operation]) -> TokenStream {
    let methods = ops.iter().map(|op| {
        let docs = method_docs(op);
        let deprecated = deprecation(op);
        let name = format_ident!("{}", op.rust_method);
        let route = op.route_const();
        let args = op.arguments().into_iter().map(|(n, t)| quote!(#n: #t));
        let success = op.success_type();
        let service = if op.params.iter().any(|p| p.kind == ParamKind::ServiceId)
            && !op.service_id_argument
        {
            quote!(let service = self.service_id(&routes::#route)?;)
        } else {
            quote!()
        };
        let kind = match op.answer {
            Answer::Json(_) => quote!(json),
            Answer::JsonOrEmpty(_) => quote!(json_or_default),
            Answer::Empty => quote!(empty),
            Answer::Text => quote!(text),
        };
        let call = sys_call(op);
        let allow = if op.deprecated {
            quote!(#[allow(deprecated)])
        } else {
            quote!()
        };
        quote! {
            #(#docs)*
            #deprecated
            #allow
            pub fn #name(&self, #(#args),*) -> Call<'_, #success> {
                self.#kind(&routes::#route, |sys| {
                    #service
                    Ok(#call)
                })
            }
        }
    });
    quote! {
        //! One method per Authlete operation.

        use authlete_sys::types;

        use crate::client::{Call, Client};
        use crate::routes;

        #[cfg(doc)]
        use crate::Error;

        impl Client {
            #(#methods)*
        }
    }
}

// ---------------------------------------------------------------------------------------------
// authlete/src/routes.rs
// ---------------------------------------------------------------------------------------------

pub fn routes(ops: &[Operation]) -> TokenStream {
    let consts = ops.iter().map(|op| {
        let name = op.route_const();
        let id = &op.id;
        let rust_method = &op.rust_method;
        let java_method = match &op.java_method {
            Some(j) => quote!(Some(#j)),
            None => quote!(None),
        };
        let method = &op.http_method;
        let v3 = &op.path;
        let v2 = match &op.v2_path {
            Some(p) => quote!(Some(#p)),
            None => quote!(None),
        };
        let credentials = match op.credentials {
            Credentials::Service => quote!(Credentials::Service),
            Credentials::ServiceOwner => quote!(Credentials::ServiceOwner),
            Credentials::ServiceOwnerPreferred => quote!(Credentials::ServiceOwnerPreferred),
            Credentials::None => quote!(Credentials::None),
        };
        let deprecated = op.deprecated;
        let doc = format!(
            " `{}` ([`Client::{}`](crate::Client::{})).",
            id, rust_method, rust_method
        );
        quote! {
            #[doc = #doc]
            pub const #name: Route = Route {
                operation: #id,
                rust_method: #rust_method,
                java_method: #java_method,
                method: #method,
                v3_path: #v3,
                v2_path: #v2,
                credentials: #credentials,
                deprecated: #deprecated,
            };
        }
    });
    let all = ops.iter().map(|op| {
        let name = op.route_const();
        quote!(&#name)
    });
    let count = ops.len();
    quote! {
        //! Where each Authlete operation lives in API generations 2 and 3, and which credentials
        //! it takes: one [`Route`] per operation, and [`ALL`] of them in the spec's order.

        pub use crate::client::{Credentials, Route};

        #(#consts)*

        /// Every operation of the spec, in its order.
        pub static ALL: [&Route; #count] = [#(#all),*];

        /// The route of an operation id.
        pub fn find(operation: &str) -> Option<&'static Route> {
            ALL.iter().copied().find(|route| route.operation == operation)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// authlete/src/query.rs
// ---------------------------------------------------------------------------------------------

pub fn query_structs(ops: &[Operation]) -> TokenStream {
    let uses_types = ops
        .iter()
        .filter(|op| op.query_struct().is_some())
        .flat_map(|op| op.optional_query())
        .any(|p| {
            let ty = &p.ty;
            quote!(#ty).to_string().contains("types ::")
        });
    let uses_types = if uses_types {
        quote!(
            use authlete_sys::types;
        )
    } else {
        quote!()
    };
    let structs = ops.iter().filter_map(|op| {
        let name = op.query_struct()?;
        let method = &op.rust_method;
        let doc = format!(
            " The optional query parameters of [`Client::{method}`](crate::Client::{method}); \
             unset ones are left out and Authlete's defaults apply."
        );
        let fields = op.optional_query();
        let field_defs = fields.iter().map(|p| {
            let field = format_ident!("{}", p.name);
            let ty = owned_query_type(&p.ty);
            let docs = doc_lines(&format!("{} (`{}`)", p.description, p.wire_name));
            quote! {
                #(#docs)*
                pub #field: #ty,
            }
        });
        let setters = fields.iter().map(|p| {
            let field = format_ident!("{}", p.name);
            let doc = format!(" Sets [`{}`](Self::{}).", p.name, p.name);
            let (arg, value) = setter_type(&p.ty);
            quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #field(mut self, value: #arg) -> Self {
                    self.#field = Some(#value);
                    self
                }
            }
        });
        Some(quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, Default, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#field_defs)*
            }

            impl #name {
                /// No parameter set: Authlete's defaults apply.
                #[must_use]
                pub fn new() -> Self {
                    Self::default()
                }

                #(#setters)*
            }
        })
    });
    quote! {
        //! The optional query parameters of the operations that take several: a struct per
        //! operation, set by name, so that two parameters of one type cannot be swapped.
        //!
        //! ```no_run
        //! # async fn run(client: authlete::Client) -> Result<(), authlete::Error> {
        //! use authlete::query::GetTokenListQuery;
        //!
        //! let page = client
        //!     .get_token_list(&GetTokenListQuery::new().subject("john").start(0).end(20))
        //!     .await?;
        //! println!("{:?} tokens", page.total_count);
        //! # Ok(()) }
        //! ```

        #uses_types

        #(#structs)*
    }
}

/// The query struct's field type: owned (`Option<&str>` becomes `Option<String>`,
/// `Option<&T>` becomes `Option<T>`).
fn owned_query_type(ty: &syn::Type) -> TokenStream {
    let text = quote!(#ty).to_string();
    if text.contains("& str") {
        return quote!(Option<String>);
    }
    if let Some(inner) = option_of_reference(ty) {
        return quote!(Option<#inner>);
    }
    quote!(#ty)
}

/// `T` of `Option<&T>`.
fn option_of_reference(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(syn::Type::Reference(r)) => Some((*r.elem).clone()),
        _ => None,
    }
}

/// The setter's argument type and how it becomes the field's value.
fn setter_type(ty: &syn::Type) -> (TokenStream, TokenStream) {
    if quote!(#ty).to_string().contains("& str") {
        return (quote!(impl Into<String>), quote!(value.into()));
    }
    if let Some(inner) = option_of_reference(ty) {
        return (quote!(#inner), quote!(value));
    }
    let syn::Type::Path(path) = ty else {
        return (quote!(#ty), quote!(value));
    };
    let last = path.path.segments.last().expect("a type has a name");
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => {
            let inner = args.args.first().expect("Option<T>");
            (quote!(#inner), quote!(value))
        }
        _ => (quote!(#ty), quote!(value)),
    }
}

// ---------------------------------------------------------------------------------------------
// authlete/src/blocking/methods.rs
// ---------------------------------------------------------------------------------------------

pub fn blocking_methods(ops: &[Operation]) -> TokenStream {
    let methods = ops.iter().map(|op| {
        let summary = format!(" {}.", op.summary);
        let name = format_ident!("{}", op.rust_method);
        let args = op.arguments().into_iter().map(|(n, t)| quote!(#n: #t));
        let success = op.success_type();
        let deprecated = deprecation(op);
        let allow = if op.deprecated {
            quote!(#[allow(deprecated)])
        } else {
            quote!()
        };
        quote! {
            #[doc = #summary]
            #deprecated
            #allow
            fn #name(#(#args),*) -> #success;
        }
    });
    quote! {
        //! The blocking form of every operation (see [`blocking_methods`](super)).

        use authlete_sys::types;

        use super::{Client, Param, Result};

        blocking_methods! {
            #(#methods)*
        }
    }
}

// ---------------------------------------------------------------------------------------------
// authlete/src/pagination/lists.rs
// ---------------------------------------------------------------------------------------------

pub fn paging(ops: &[Operation]) -> TokenStream {
    let methods = ops.iter().filter_map(|op| {
        let pages = op.pages.as_ref()?;
        let list_method = format_ident!("{}", op.rust_method);
        let items_method = format_ident!("{}", pages.items_method);
        let pages_method = format_ident!("{}", pages.pages_method);
        let route = op.route_const();
        let item = format_ident!("{}", pages.item_type);
        let field = format_ident!("{}", pages.field.to_snake_case());
        let query = op
            .query_struct()
            .expect("x-pages operations take start and end");
        // Filters beyond start and end: then the caller passes the query.
        let filters = op
            .optional_query()
            .iter()
            .any(|p| p.name != "start" && p.name != "end");
        let mut args: Vec<(syn::Ident, TokenStream)> = op
            .arguments()
            .into_iter()
            .filter(|(name, _)| name != "query")
            .collect();
        if filters {
            args.push((format_ident!("query"), quote!(&crate::query::#query)));
        }
        let arg_defs: Vec<TokenStream> = args.iter().map(|(n, t)| quote!(#n: #t)).collect();
        let arg_names: Vec<&syn::Ident> = args.iter().map(|(n, _)| n).collect();
        let owned: Vec<TokenStream> = args
            .iter()
            .map(|(n, t)| {
                if t.to_string() == "& str" {
                    quote!(let #n = #n.to_owned();)
                } else {
                    quote!(let #n = #n.clone();)
                }
            })
            .collect();
        let owned_inner: Vec<TokenStream> = args
            .iter()
            .filter(|(n, _)| n != "query")
            .map(|(n, _)| quote!(let #n = #n.clone();))
            .collect();
        let lent: Vec<TokenStream> = args
            .iter()
            .filter(|(n, _)| n != "query")
            .map(|(n, t)| {
                if t.to_string() == "& str" {
                    quote!(&#n)
                } else {
                    quote!(#n.clone())
                }
            })
            .collect();
        let query_init = if filters {
            quote!(let page_query = query.clone();)
        } else {
            quote!(let page_query = crate::query::#query::new();)
        };
        let items_doc = doc_lines(&format!(
            "Every item of [`{m}`](Client::{m})'s `{f}`, one at a time, fetched `page_size` at a \
             time. See the [`pagination`](crate::pagination) module for how the stream behaves.{q}",
            m = op.rust_method,
            f = pages.field,
            q = if filters {
                " The query's `start` and `end` are set for each page; its other parameters \
                 apply to every page."
            } else {
                ""
            }
        ));
        let pages_doc = doc_lines(&format!(
            "The listing of [`{i}`](Client::{i}), a page at a time with Authlete's total count.",
            i = pages.items_method
        ));
        Some(quote! {
            #(#items_doc)*
            pub fn #items_method(&self, #(#arg_defs,)* page_size: u32) -> Items<types::#item> {
                self.#pages_method(#(#arg_names,)* page_size).into_items()
            }

            #(#pages_doc)*
            pub fn #pages_method(&self, #(#arg_defs,)* page_size: u32) -> Pages<types::#item> {
                let client = self.clone();
                #(#owned)*
                Pages::new(routes::#route.operation, page_size, move |start, end| {
                    let client = client.clone();
                    #query_init
                    let page_query = page_query.start(start).end(end);
                    #(#owned_inner)*
                    async move {
                        let list = client.#list_method(#(#lent,)* &page_query).await?;
                        Ok(Fetched {
                            items: list.#field,
                            total_count: list.total_count,
                        })
                    }
                })
            }
        })
    });
    quote! {
        //! The paged listings of the operations the spec marks with `x-pages`.

        use authlete_sys::types;

        use super::{Fetched, Items, Pages};
        use crate::client::Client;
        use crate::routes;

        impl Client {
            #(#methods)*
        }
    }
}

// ---------------------------------------------------------------------------------------------
// authlete/tests/it/operations/cases.rs
// ---------------------------------------------------------------------------------------------

/// The configured service of the operation tests, and another one for the operations whose
/// caller names the service.
const SERVICE: &str = "7159";
const OTHER_SERVICE: &str = "4242";

pub fn test_cases(spec: &OpenAPI, ops: &[Operation]) -> Result<TokenStream, String> {
    let mut rows = Vec::new();
    for op in ops {
        let service = if op.service_id_argument {
            OTHER_SERVICE
        } else {
            SERVICE
        };
        let mut v3 = op.path.replace("{serviceId}", service);
        let mut v2 = op
            .v2_path
            .as_ref()
            .map(|p| p.replace("{serviceApiKey}", service));
        let mut call_args = Vec::new();
        if op.service_id_argument {
            call_args.push(quote!(OTHER_SERVICE));
        }
        let mut query_pairs = Vec::new();
        let mut query_setters = Vec::new();
        for p in &op.params {
            match p.kind {
                ParamKind::Path | ParamKind::RequiredQuery => {
                    let value = format!("{}-1", p.wire_name);
                    if p.kind == ParamKind::Path {
                        let placeholder = format!("{{{}}}", p.wire_name);
                        v3 = v3.replace(&placeholder, &value);
                        v2 = v2.map(|v2| v2.replace(&placeholder, &value));
                    } else {
                        query_pairs.push((p.wire_name.clone(), value.clone()));
                    }
                    call_args.push(quote!(#value));
                }
                _ => {}
            }
        }
        let body = match op.params.iter().find(|p| p.kind == ParamKind::Body) {
            Some(p) => {
                let schema = p
                    .schema
                    .as_ref()
                    .ok_or_else(|| format!("{}: a body without a JSON schema", op.id))?;
                let sample = sample(spec, schema, 0);
                let text = sample.to_string();
                let reference = matches!(body_argument_type(&p.ty).to_string().as_str(), t if t.starts_with('&'));
                call_args.push(if reference {
                    quote!(&req(body))
                } else {
                    quote!(req(body))
                });
                quote!(Some(#text))
            }
            None => quote!(None),
        };
        for p in op
            .params
            .iter()
            .filter(|p| p.kind == ParamKind::OptionalQuery)
        {
            let (wire, rust) = query_sample(spec, p);
            query_pairs.push((p.wire_name.clone(), wire));
            let name = format_ident!("{}", p.name);
            query_setters.push(quote!(.#name(#rust)));
            if op.query_struct().is_none() {
                call_args.push(quote!(Some(#rust)));
            }
        }
        if let Some(query) = op.query_struct() {
            call_args.push(quote!(&authlete::query::#query::new() #(#query_setters)*));
        }
        let query = query_pairs.iter().map(|(k, v)| quote!((#k, #v)));
        let auth = match op.credentials {
            Credentials::Service => quote!(Auth::Service),
            Credentials::ServiceOwner => quote!(Auth::Owner),
            Credentials::ServiceOwnerPreferred => quote!(Auth::OwnerInV2),
            Credentials::None => quote!(Auth::None),
        };
        let answers: Vec<TokenStream> = match &op.answer {
            Answer::Json(_) => vec![json_answer(spec, op)?],
            Answer::JsonOrEmpty(_) => {
                vec![json_answer(spec, op)?, quote!(Answer::Empty(204, "{}"))]
            }
            Answer::Empty => {
                let status = op.success_status;
                vec![quote!(Answer::Empty(#status, "null"))]
            }
            Answer::Text => vec![quote!(Answer::Text("ok"))],
        };
        let name = &op.rust_method;
        let id = &op.id;
        let method = &op.http_method;
        let v2 = match &v2 {
            Some(v2) => quote!(Some(#v2)),
            None => quote!(None),
        };
        let method_ident = format_ident!("{}", op.rust_method);
        let body_param = if op.params.iter().any(|p| p.kind == ParamKind::Body) {
            quote!(body)
        } else {
            quote!(_)
        };
        let query: Vec<TokenStream> = query.collect();
        for answer in answers {
            rows.push(quote! {
                Case {
                    name: #name,
                    operation: #id,
                    method: #method,
                    v3: #v3,
                    v2: #v2,
                    auth: #auth,
                    query: &[#(#query),*],
                    body: #body,
                    answer: #answer,
                    call: |c, #body_param| Box::pin(async move { out(c.#method_ident(#(#call_args),*).await) }),
                    #[cfg(feature = "blocking")]
                    blocking_call: |c, #body_param| out(c.#method_ident(#(#call_args),*)),
                },
            });
        }
    }
    Ok(quote! {
        //! One row per operation of the spec (two for an operation that may answer `204 No
        //! Content`): its paths with parameters filled in, credentials, query, a sample request
        //! built from the request schema, a sample answer built from the answer schema, and a
        //! call of the typed method, async and blocking.
        #![allow(deprecated)]

        use super::{Answer, Auth, Case, out, req};

        /// The configured service.
        pub const SERVICE: &str = #SERVICE;
        /// The service named by the caller of the service management operations: another one
        /// than the configured service, to show that the argument is used.
        pub const OTHER_SERVICE: &str = #OTHER_SERVICE;

        pub fn cases() -> Vec<Case> {
            vec![#(#rows)*]
        }
    })
}

fn json_answer(spec: &OpenAPI, op: &Operation) -> Result<TokenStream, String> {
    let schema = op
        .response_schema
        .as_ref()
        .ok_or_else(|| format!("{}: a JSON answer without a schema", op.id))?;
    let mut value = sample(spec, schema, 0);
    if let (Value::Object(object), Some(resolved)) = (&mut value, resolve_schema(spec, schema))
        && let SchemaKind::Type(Type::Object(shape)) = &resolved.schema_kind
    {
        for (name, text) in [("resultCode", "A000001"), ("resultMessage", "[A000001] ok")] {
            if shape.properties.contains_key(name) {
                object.insert(name.into(), json!(text));
            }
        }
        if let Some(action) = shape.properties.get("action") {
            object.insert("action".into(), sample(spec, &unboxed(action), 0));
        }
        if shape.properties.is_empty() {
            // A free-form answer (the discovery document).
            object.insert("issuer".into(), json!("https://as.example"));
        }
    }
    let text = value.to_string();
    Ok(quote!(Answer::Json(#text)))
}

/// A query parameter's sample: as it travels, and as the Rust setter takes it.
fn query_sample(spec: &OpenAPI, p: &Param) -> (String, TokenStream) {
    let ty = &p.ty;
    let ty = quote!(#ty).to_string();
    if ty.contains("i32") || ty.contains("i64") {
        // Distinct numbers, so that swapped parameters are caught.
        let n = 2 + p.wire_name.len() as i64;
        let literal = proc_macro2::Literal::i64_unsuffixed(n);
        (n.to_string(), quote!(#literal))
    } else if ty.contains("bool") {
        ("true".into(), quote!(true))
    } else if ty.contains("str") {
        let value = format!("{}-q", p.wire_name);
        (value.clone(), quote!(#value))
    } else {
        // An enum: its first value.
        let value = p
            .schema
            .as_ref()
            .map(|s| sample(spec, s, 0))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let inner = match option_of_reference(&p.ty) {
            Some(inner) => quote!(#inner),
            None => {
                let syn::Type::Path(path) = &p.ty else {
                    return (value, quote!());
                };
                let last = path.path.segments.last().expect("a type has a name");
                let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                    return (value, quote!());
                };
                let inner = args.args.first().expect("Option<T>");
                quote!(#inner)
            }
        };
        let variant = format_ident!("{}", value.to_upper_camel_case());
        (value, quote!(authlete::#inner::#variant))
    }
}

/// A schema reference as `sample` takes it (openapiv3 boxes nested schemas).
fn unboxed(schema: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match schema {
        ReferenceOr::Item(s) => ReferenceOr::Item((**s).clone()),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
    }
}

/// A JSON value that fits `schema`: every required property (and, for an object without
/// any, its first property), one element per list, the first value of an enum.
fn sample(spec: &OpenAPI, schema: &ReferenceOr<Schema>, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    let Some(schema) = resolve_schema(spec, schema) else {
        return Value::Null;
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            if let Some(first) = s.enumeration.iter().flatten().next() {
                json!(first)
            } else if matches!(&s.format, openapiv3::VariantOrUnknownOrEmpty::Unknown(f) if f == "uri")
            {
                json!("https://example.com/x")
            } else {
                json!("s")
            }
        }
        SchemaKind::Type(Type::Integer(_)) => json!(1),
        SchemaKind::Type(Type::Number(_)) => json!(1.5),
        SchemaKind::Type(Type::Boolean(_)) => json!(true),
        SchemaKind::Type(Type::Array(a)) => match &a.items {
            Some(items) => json!([sample(spec, &unboxed(items), depth + 1)]),
            None => json!([]),
        },
        SchemaKind::Type(Type::Object(o)) => {
            let mut object = serde_json::Map::new();
            let chosen: Vec<&String> = if o.required.is_empty() {
                // Prefer a plain scalar, then anything, so that the value is not empty.
                let scalar = o.properties.iter().find(|(_, p)| {
                    matches!(p, ReferenceOr::Item(s) if matches!(
                        s.schema_kind,
                        SchemaKind::Type(Type::String(_)) | SchemaKind::Type(Type::Integer(_))
                    ))
                });
                scalar
                    .or_else(|| o.properties.iter().next())
                    .map(|(name, _)| name)
                    .into_iter()
                    .collect()
            } else {
                o.required.iter().collect()
            };
            for name in chosen {
                if let Some(property) = o.properties.get(name) {
                    object.insert(name.clone(), sample(spec, &unboxed(property), depth + 1));
                }
            }
            Value::Object(object)
        }
        SchemaKind::AllOf { all_of } => {
            // Objects merge; anything else (a `$ref` to an enum wrapped for its description)
            // is the value itself.
            let mut object = serde_json::Map::new();
            for part in all_of {
                match sample(spec, part, depth + 1) {
                    Value::Object(part) => object.extend(part),
                    other => return other,
                }
            }
            Value::Object(object)
        }
        SchemaKind::AnyOf { any_of: list } | SchemaKind::OneOf { one_of: list } => list
            .first()
            .map(|s| sample(spec, s, depth + 1))
            .unwrap_or(Value::Null),
        _ => json!({}),
    }
}
