//! The types that keep the JSON members the spec does not know: the schemas marked
//! `x-keep-unknown: true` (objects an application reads from Authlete and writes back) and
//! every object schema they refer to. See `authlete-sys/src/unknown.rs` for how.

use std::collections::BTreeSet;

use quote::format_ident;
use serde_json::Value;

/// The names of the schemas that keep unknown members, in order.
pub fn schemas(spec: &openapiv3::OpenAPI) -> Result<BTreeSet<String>, String> {
    let spec = serde_json::to_value(spec).map_err(|e| format!("spec as JSON: {e}"))?;
    let schemas = spec["components"]["schemas"]
        .as_object()
        .ok_or("the spec has no component schemas")?;
    let mut pending: Vec<String> = schemas
        .iter()
        .filter(|(_, schema)| schema["x-keep-unknown"] == Value::Bool(true))
        .map(|(name, _)| name.clone())
        .collect();
    if pending.is_empty() {
        return Err("no schema is marked x-keep-unknown".into());
    }
    let mut found = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !found.insert(name.clone()) {
            continue;
        }
        let schema = schemas
            .get(&name)
            .ok_or_else(|| format!("x-keep-unknown: no schema {name}"))?;
        references(schema, &mut pending);
    }
    // Only objects with properties become structs that can keep members.
    found.retain(|name| schemas[name]["properties"].is_object());
    Ok(found)
}

/// Every schema name `value` refers to.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref")
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// Makes the struct `item` keep its unknown members: serde's derived code becomes
/// associated functions (`remote = "Self"`), the trait impls run it through
/// `crate::unknown::deserialize`, and the members travel in `unknown_members`.
pub fn keep(item: &mut syn::ItemStruct) -> Result<Vec<syn::Item>, String> {
    let ident = item.ident.clone();
    let syn::Fields::Named(fields) = &mut item.fields else {
        return Err(format!("{ident}: not a struct with named fields"));
    };
    if fields
        .named
        .iter()
        .any(|f| f.ident.as_ref().is_some_and(|i| i == "unknown_members"))
    {
        return Err(format!("{ident}: already has a field unknown_members"));
    }
    fields.named.push(syn::parse_quote! {
        /// The JSON members this version of the SDK does not know, kept as received and sent
        /// back unchanged (see [`UnknownMembers`](crate::UnknownMembers)).
        #[serde(flatten, skip_deserializing)]
        pub unknown_members: crate::UnknownMembers
    });
    item.attrs
        .push(syn::parse_quote!(#[serde(remote = "Self")]));
    let name = format_ident!("{}", ident);
    Ok(vec![
        syn::parse_quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::std::result::Result<S::Ok, S::Error> {
                    #name::serialize(self, serializer)
                }
            }
        },
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    let (mut value, unknown) =
                        crate::unknown::deserialize(deserializer, |d| #name::deserialize(d))?;
                    value.unknown_members = unknown;
                    Ok(value)
                }
            }
        },
    ])
}
