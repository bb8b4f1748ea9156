//! Open enums: every string enum of the spec becomes a Rust enum with one variant per known
//! value plus `Unknown`, which keeps any value Authlete adds later and sends it back unchanged.

use heck::ToUpperCamelCase;
use openapiv3::{ReferenceOr, SchemaKind, Type};
use quote::{format_ident, quote};

/// A named string enum of the spec.
pub struct OpenEnum {
    pub name: String,
    description: Option<String>,
    values: Vec<String>,
}

/// Collects every named string enum from `components.schemas`, in spec order.
pub fn collect(spec: &openapiv3::OpenAPI) -> Result<Vec<OpenEnum>, String> {
    let mut out = Vec::new();
    let Some(components) = &spec.components else {
        return Ok(out);
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
            continue;
        };
        if string.enumeration.is_empty() {
            continue;
        }
        let values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
        let open_enum = OpenEnum {
            name: name.clone(),
            description: schema.schema_data.description.clone(),
            values,
        };
        open_enum.variant_names()?;
        out.push(open_enum);
    }
    Ok(out)
}

impl OpenEnum {
    /// Rust variant names, one per value; fails on a collision or a reserved name.
    fn variant_names(&self) -> Result<Vec<syn::Ident>, String> {
        let mut names: Vec<String> = Vec::new();
        for value in &self.values {
            let mut name = value
                .replace(['-', '.', '+', ' ', ':', '/'], "_")
                .to_upper_camel_case();
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                name = format!("V{name}");
            }
            if name == "Unknown" || name == "Self" {
                name.push_str("Value");
            }
            if names.contains(&name) {
                return Err(format!(
                    "enum {}: values map to the same variant {name}",
                    self.name
                ));
            }
            names.push(name);
        }
        Ok(names.iter().map(|n| format_ident!("{n}")).collect())
    }

    /// The enum and its trait impls, to be placed in the generated `types` module.
    pub fn items(&self) -> Vec<syn::Item> {
        let ident = format_ident!("{}", self.name);
        let variants = self.variant_names().expect("checked in collect");
        let values = &self.values;
        let doc = self
            .description
            .clone()
            .unwrap_or_else(|| format!("Values of `{}`.", self.name));
        let value_docs = values.iter().map(|v| format!("`{v}`"));
        let tokens = quote! {
            #[doc = #doc]
            ///
            /// Open: a value this version does not know arrives as `Unknown` and is sent back
            /// unchanged.
            #[derive(Clone, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #ident {
                #(
                    #[doc = #value_docs]
                    #variants,
                )*
                /// A value unknown to this version of the SDK, kept as received.
                Unknown(crate::UnknownValue),
            }

            impl #ident {
                /// Every value this version of the SDK knows, in spec order.
                pub const KNOWN_VALUES: &'static [&'static str] = &[#(#values),*];

                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::Unknown(value) => value.as_str(),
                    }
                }

                fn from_known(value: &str) -> ::std::option::Option<Self> {
                    match value {
                        #(#values => ::std::option::Option::Some(Self::#variants),)*
                        _ => ::std::option::Option::None,
                    }
                }
            }

            crate::runtime::open_enum_impls!(#ident);
        };
        let file: syn::File = syn::parse2(tokens).expect("open enum tokens parse");
        file.items
    }
}
