//! Adjustments to progenitor's output that settings cannot express. Each is a typed edit of
//! the syntax tree, so that a change in progenitor's output fails loudly here instead of
//! silently producing different code.

use quote::quote;
use syn::visit_mut::VisitMut;

use crate::enums::OpenEnum;

/// Adds the open enums to the `types` module and makes collections accept `null`.
pub fn client(
    file: &mut syn::File,
    open_enums: &[OpenEnum],
    keep_unknown: &std::collections::BTreeSet<String>,
) -> Result<(), String> {
    let types = types_module(file)?;
    let mut nulls = NullTolerantCollections::default();
    nulls.visit_item_mod_mut(types);
    if nulls.fields == 0 {
        return Err("found no optional collection fields to make null-tolerant".into());
    }
    let items = &mut types.content.as_mut().expect("inline module").1;
    let mut kept = Vec::new();
    let mut unknown_impls = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        if !keep_unknown.contains(&item.ident.to_string()) {
            continue;
        }
        unknown_impls.extend(crate::unknown::keep(item)?);
        kept.push(item.ident.to_string());
    }
    if kept.len() != keep_unknown.len() {
        let missing: Vec<&String> = keep_unknown.iter().filter(|n| !kept.contains(n)).collect();
        return Err(format!(
            "x-keep-unknown: no generated struct for {missing:?}"
        ));
    }
    items.extend(unknown_impls);
    let extra = result_info_impls(items)?;
    items.extend(extra);
    for open_enum in open_enums {
        items.extend(open_enum.items());
    }
    split_request_builders(file)?;
    let mut decode = OwnJsonDecoding::default();
    decode.visit_file_mut(file);
    if decode.replaced == 0 {
        return Err("found no `ResponseValue::from_response` calls to replace".into());
    }
    let mut header = NoApiVersionHeader::default();
    header.visit_file_mut(file);
    if header.removed == 0 || header.other_headers > 0 {
        return Err(format!(
            "expected only `api-version` header maps; removed {}, found {} other headers",
            header.removed, header.other_headers
        ));
    }
    Ok(())
}

/// Takes the `types` module out of the generated client: its items become the file of the
/// `authlete-types` crate, and the client names them through `authlete_types::types`. The
/// types need serde only, so they compile while the HTTP stack does.
pub fn split_types(client: &mut syn::File) -> Result<syn::File, String> {
    let position = client
        .items
        .iter()
        .position(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"))
        .ok_or("found no `types` module in the generated client")?;
    let syn::Item::Mod(module) = std::mem::replace(
        &mut client.items[position],
        syn::parse_quote!(
            pub use authlete_types::types;
        ),
    ) else {
        unreachable!("matched above");
    };
    let (_, items) = module.content.ok_or("the `types` module is not inline")?;
    Ok(syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    })
}

/// Splits each operation method in two: `<operation>_request`, a plain function that builds
/// the `reqwest::Request` (URL, query, body) and sends nothing, and the async method, which
/// now calls it and then runs the hooks, sends and decodes. The `authlete` crate sends the
/// built request itself; calling only the builder keeps the async bodies, and the decoding
/// of every answer type in them, out of its compilation.
fn split_request_builders(file: &mut syn::File) -> Result<(), String> {
    let mut split = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = matches!(&*imp.self_ty, syn::Type::Path(t) if t.path.is_ident("Client"));
        if !is_client || imp.trait_.is_some() {
            continue;
        }
        let names: std::collections::BTreeSet<String> = imp
            .items
            .iter()
            .filter_map(|item| match item {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect();
        // Each builder right after its operation.
        let mut items = Vec::with_capacity(imp.items.len() * 2);
        for mut item in imp.items.drain(..) {
            let builder = match &mut item {
                syn::ImplItem::Fn(method) if method.sig.asyncness.is_some() => {
                    Some(request_builder(method)?)
                }
                _ => None,
            };
            items.push(item);
            if let Some(builder) = builder {
                if names.contains(&builder.sig.ident.to_string()) {
                    return Err(format!("`{}` is already a method", builder.sig.ident));
                }
                items.push(syn::ImplItem::Fn(builder));
                split += 1;
            }
        }
        imp.items = items;
    }
    if split == 0 {
        return Err("found no operation methods to split".into());
    }
    Ok(())
}

/// The `<operation>_request` builder of one operation method, which afterwards calls it.
fn request_builder(method: &mut syn::ImplItemFn) -> Result<syn::ImplItemFn, String> {
    let name = method.sig.ident.clone();
    let fail = |what: &str| format!("{name}: {what}");
    let built = method
        .block
        .stmts
        .iter()
        .position(|stmt| {
            matches!(stmt, syn::Stmt::Local(local)
                if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "request"))
        })
        .ok_or_else(|| fail("no `let mut request = ...build()?;`"))?;
    let syn::ReturnType::Type(_, output) = &method.sig.output else {
        return Err(fail("no return type"));
    };
    // `Result<ResponseValue<T>, Error<E>>`: the builder fails with the same `Error<E>`.
    let error = match &**output {
        syn::Type::Path(path) => match &path.path.segments.last().map(|s| &s.arguments) {
            Some(syn::PathArguments::AngleBracketed(args)) if args.args.len() == 2 => {
                args.args[1].clone()
            }
            _ => return Err(fail("unexpected return type")),
        },
        _ => return Err(fail("unexpected return type")),
    };
    let arguments: Vec<syn::Ident> = method
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => match &*typed.pat {
                syn::Pat::Ident(p) => Some(p.ident.clone()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let builder_name = quote::format_ident!("{}_request", name);
    let doc = format!(
        " Builds the request of [`Self::{name}`] without sending it: no hooks run, nothing \
         is sent."
    );
    let mut sig = method.sig.clone();
    sig.asyncness = None;
    sig.ident = builder_name.clone();
    sig.output = syn::parse_quote!(-> Result<reqwest::Request, #error>);
    let steps: Vec<syn::Stmt> = method.block.stmts.drain(..=built).collect();
    method.block.stmts.insert(
        0,
        syn::parse_quote!(let mut request = self.#builder_name(#(#arguments),*)?;),
    );
    Ok(syn::parse_quote! {
        #[doc = #doc]
        pub #sig {
            #(#steps)*
            Ok(request)
        }
    })
}

/// Replaces `ResponseValue::from_response(response)` by the runtime's `decode_json`, which
/// returns the same but checks UTF-8 once per body instead of once per string.
#[derive(Default)]
struct OwnJsonDecoding {
    replaced: usize,
}

impl VisitMut for OwnJsonDecoding {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let is_from_response = matches!(&*call.func, syn::Expr::Path(p)
            if p.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>() == ["ResponseValue", "from_response"]);
        if is_from_response {
            *call.func = syn::parse_quote!(crate::runtime::decode_json);
            self.replaced += 1;
        }
    }
}

/// Removes the `api-version` header progenitor adds to every request: Authlete ignores it,
/// and building then sending it cost a header map per call. Fails loudly (through
/// `removed`) if progenitor changes how it adds the header.
#[derive(Default)]
struct NoApiVersionHeader {
    removed: usize,
    other_headers: usize,
}

impl NoApiVersionHeader {
    /// `let mut header_map = HeaderMap::with_capacity(..);` or `header_map.append(..);`
    fn is_header_map_statement(stmt: &syn::Stmt) -> bool {
        match stmt {
            syn::Stmt::Local(local) => {
                matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "header_map")
            }
            syn::Stmt::Expr(syn::Expr::MethodCall(call), _) => {
                call.method == "append"
                    && matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("header_map"))
            }
            _ => false,
        }
    }
}

impl VisitMut for NoApiVersionHeader {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        for stmt in &block.stmts {
            if let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt
                && Self::is_header_map_statement(stmt)
                && !quote!(#call).to_string().contains("\"api-version\"")
            {
                // A header parameter in the spec: the map is needed after all.
                self.other_headers += 1;
            }
        }
        let before = block.stmts.len();
        block
            .stmts
            .retain(|stmt| !Self::is_header_map_statement(stmt));
        if block.stmts.len() != before {
            self.removed += 1;
        }
        syn::visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && matches!(call.args.first(), Some(syn::Expr::Path(p)) if p.path.is_ident("header_map"))
        {
            *expr = (*call.receiver).clone();
        }
    }
}

/// `impl crate::ResultInfo` for every generated struct (exposing `resultCode` and
/// `resultMessage` where the type has them), and `SECRET_FIELD_NAMES`: the JSON names of
/// every field of type `Secret`, for redacting logged bodies.
fn result_info_impls(items: &[syn::Item]) -> Result<Vec<syn::Item>, String> {
    let mut out = Vec::new();
    let mut secret_names = std::collections::BTreeSet::new();
    let mut with_result = 0;
    for item in items {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        let syn::Fields::Named(fields) = &item.fields else {
            continue;
        };
        // How to read `result_code` and `result_message` as `Option<&str>`: optional in most
        // answers, required in a few.
        let mut code = None;
        let mut message = None;
        for field in &fields.named {
            let name = field.ident.as_ref().expect("named field").to_string();
            let ty = &field.ty;
            let ty = quote!(#ty).to_string();
            let read = if ty == ":: std :: option :: Option < :: std :: string :: String >" {
                Some(quote!(.as_deref()))
            } else if ty == ":: std :: string :: String" {
                Some(quote!(.as_str().into()))
            } else {
                None
            };
            if name == "result_code" {
                code = read.clone();
            }
            if name == "result_message" {
                message = read;
            }
            if ty.contains("crate :: Secret") {
                secret_names.insert(json_name(field));
            }
        }
        let ident = &item.ident;
        let body = if let (Some(code), Some(message)) = (code, message) {
            with_result += 1;
            quote! {
                fn result_code(&self) -> ::std::option::Option<&str> {
                    self.result_code #code
                }
                fn result_message(&self) -> ::std::option::Option<&str> {
                    self.result_message #message
                }
            }
        } else {
            quote!()
        };
        out.push(syn::parse_quote! {
            impl crate::ResultInfo for #ident {
                #body
            }
        });
    }
    if with_result == 0 || secret_names.is_empty() {
        return Err("found no result codes or secret fields in the generated types".into());
    }
    let names = secret_names.iter();
    out.push(syn::parse_quote! {
        /// The JSON names of the fields that hold credentials, for redacting logged bodies.
        pub const SECRET_FIELD_NAMES: &[&str] = &[#(#names),*];
    });
    Ok(out)
}

/// A field's JSON name: its `#[serde(rename = "...")]`, else its Rust name.
fn json_name(field: &syn::Field) -> String {
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut renamed = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                renamed = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if let Some(name) = renamed {
            return name;
        }
    }
    field.ident.as_ref().expect("named field").to_string()
}

/// Adjusts the httpmock helpers: path regexes accept a base-URL path prefix (a base URL such
/// as `http://127.0.0.1:8080/authlete`), and path parameter values are matched literally.
pub fn mock(file: &mut syn::File) -> Result<(), String> {
    let mut paths = MockPaths::default();
    paths.visit_file_mut(file);
    if paths.patterns == 0 || paths.escaped == 0 {
        return Err("found no path regexes in the generated mocks".into());
    }
    Ok(())
}

/// Rewrites `^/api/...$` patterns to allow a prefix, and `value.to_string()` arguments of
/// `format!` to `regex::escape(&value.to_string())`.
#[derive(Default)]
struct MockPaths {
    patterns: usize,
    escaped: usize,
}

const PATH_PREFIX: &str = "^(?:/[^?#]*)?/api/";

impl MockPaths {
    fn widen(&mut self, lit: &syn::LitStr) -> Option<syn::LitStr> {
        let value = lit.value();
        let rest = value.strip_prefix("^/api/")?;
        self.patterns += 1;
        Some(syn::LitStr::new(
            &format!("{PATH_PREFIX}{rest}"),
            lit.span(),
        ))
    }
}

impl VisitMut for MockPaths {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let is_regex_new = matches!(&*call.func, syn::Expr::Path(p)
            if p.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>() == ["regex", "Regex", "new"]);
        if !is_regex_new {
            return;
        }
        if let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        })) = call.args.first_mut()
            && let Some(widened) = self.widen(lit)
        {
            *lit = widened;
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if !mac.path.is_ident("format") {
            return;
        }
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let Ok(args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) else {
            return;
        };
        let mut args: Vec<syn::Expr> = args.into_iter().collect();
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(template),
            ..
        })) = args.first()
        else {
            return;
        };
        let Some(widened) = self.widen(template) else {
            return;
        };
        args[0] = syn::parse_quote!(#widened);
        for arg in args.iter_mut().skip(1) {
            // Path parameters are `&str`: escape them directly rather than `value.to_string()`.
            let value = match &*arg {
                syn::Expr::MethodCall(call)
                    if call.method == "to_string" && call.args.is_empty() =>
                {
                    (*call.receiver).clone()
                }
                other => other.clone(),
            };
            *arg = syn::parse_quote!(regex::escape(#value));
            self.escaped += 1;
        }
        mac.tokens = quote!(#(#args),*);
    }
}

fn types_module(file: &mut syn::File) -> Result<&mut syn::ItemMod, String> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" && m.content.is_some() => Some(m),
            _ => None,
        })
        .ok_or_else(|| "generated client has no inline `types` module".to_string())
}

/// typify gives optional arrays and maps `#[serde(default)]`, which rejects an explicit
/// JSON `null`; Authlete sends `null` for empty collections, so such fields also get a
/// deserializer that reads `null` as empty.
#[derive(Default)]
struct NullTolerantCollections {
    fields: usize,
}

impl VisitMut for NullTolerantCollections {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        let is_collection = {
            let ty_tokens = &field.ty;
            let ty_text = quote!(#ty_tokens).to_string();
            ty_text.starts_with(":: std :: vec :: Vec")
                || ty_text.starts_with(":: serde_json :: Map")
                || ty_text.starts_with(":: std :: collections :: HashMap")
                || ty_text.starts_with(":: std :: collections :: BTreeMap")
        };
        if !is_collection {
            return;
        }
        for attr in &mut field.attrs {
            if !attr.path().is_ident("serde") {
                continue;
            }
            let syn::Meta::List(list) = &mut attr.meta else {
                continue;
            };
            let has_default = list.tokens.clone().into_iter().any(
                |token| matches!(token, proc_macro2::TokenTree::Ident(ident) if ident == "default"),
            );
            if has_default && !list.tokens.to_string().contains("deserialize_with") {
                let old = &list.tokens;
                list.tokens = quote!(#old, deserialize_with = "crate::runtime::null_as_default");
                self.fields += 1;
            }
        }
    }
}

/// Splits multi-line doc attributes into one attribute per line. prettyplease prints a
/// multi-line doc string as a `/** */` block, which rustfmt re-indents; rustdoc would then
/// read the indented lines as code blocks (and doctests).
pub fn one_doc_line_per_attribute(file: &mut syn::File) {
    split_docs(&mut file.attrs);
    DocLines.visit_file_mut(file);
}

struct DocLines;

fn split_docs(attrs: &mut Vec<syn::Attribute>) {
    if !attrs.iter().any(is_multiline_doc) {
        return;
    }
    let mut out = Vec::with_capacity(attrs.len());
    for attr in attrs.drain(..) {
        if !is_multiline_doc(&attr) {
            out.push(attr);
            continue;
        }
        let text = doc_text(&attr).expect("checked");
        for line in text.lines() {
            let line = line.trim_end();
            let mut new = attr.clone();
            new.meta = syn::parse_quote!(doc = #line);
            out.push(new);
        }
    }
    *attrs = out;
}

fn doc_text(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    if !nv.path.is_ident("doc") {
        return None;
    }
    match &nv.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

fn is_multiline_doc(attr: &syn::Attribute) -> bool {
    doc_text(attr).is_some_and(|text| text.contains('\n'))
}

macro_rules! split_docs_in {
    ($($visit:ident: $ty:ty),* $(,)?) => {
        impl VisitMut for DocLines {
            $(
                fn $visit(&mut self, node: &mut $ty) {
                    split_docs(&mut node.attrs);
                    syn::visit_mut::$visit(self, node);
                }
            )*
        }
    };
}

split_docs_in!(
    visit_item_mod_mut: syn::ItemMod,
    visit_item_struct_mut: syn::ItemStruct,
    visit_item_enum_mut: syn::ItemEnum,
    visit_item_fn_mut: syn::ItemFn,
    visit_item_impl_mut: syn::ItemImpl,
    visit_item_trait_mut: syn::ItemTrait,
    visit_item_type_mut: syn::ItemType,
    visit_item_const_mut: syn::ItemConst,
    visit_item_use_mut: syn::ItemUse,
    visit_field_mut: syn::Field,
    visit_variant_mut: syn::Variant,
    visit_impl_item_fn_mut: syn::ImplItemFn,
    visit_impl_item_const_mut: syn::ImplItemConst,
    visit_trait_item_fn_mut: syn::TraitItemFn,
);
