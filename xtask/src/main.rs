//! Project automation for authlete-rs.
//!
//! `cargo xtask codegen` regenerates, from `openapi/authlete.yaml`, the `authlete-types` and
//! `authlete-sys` sources and the per-operation code of the `authlete` crate (client
//! methods, routes, query structs, blocking facade, paging helpers, the operation tests'
//! table); `cargo xtask codegen --check`
//! fails, naming the stale files, when the committed files differ.

mod enums;
mod postprocess;
mod sdk;
mod unknown;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

const SPEC: &str = "openapi/authlete.yaml";
const OUT_DIR: &str = "authlete-sys/src/generated";
/// Progenitor's `types` module, as a crate of its own that does not wait for reqwest.
const TYPES_FILE: &str = "authlete-types/src/generated/types.rs";
const PROGENITOR_VERSION: &str = "0.15.1";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        _ => Err("usage: cargo xtask codegen [--check]".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// A generated file: its path relative to the workspace root and its contents.
struct Output {
    path: String,
    contents: String,
}

fn codegen(check: bool) -> Result<(), String> {
    let root = workspace_root();
    let outputs = generate(&root)?;
    if check {
        let stale: Vec<&str> = outputs
            .iter()
            .filter(|out| {
                std::fs::read_to_string(root.join(&out.path))
                    .ok()
                    .as_deref()
                    != Some(out.contents.as_str())
            })
            .map(|out| out.path.as_str())
            .collect();
        if stale.is_empty() {
            println!("generated code is up to date ({} files)", outputs.len());
            return Ok(());
        }
        return Err(format!(
            "generated code is stale; run `cargo xtask codegen`: {}",
            stale.join(", ")
        ));
    }
    for out in &outputs {
        let path = root.join(&out.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(root.join(&out.path), &out.contents)
            .map_err(|e| format!("{}: {e}", out.path))?;
        println!(
            "wrote {} ({} lines)",
            out.path,
            out.contents.lines().count()
        );
    }
    Ok(())
}

fn generate(root: &Path) -> Result<Vec<Output>, String> {
    let text =
        std::fs::read_to_string(root.join(SPEC)).map_err(|e| format!("reading {SPEC}: {e}"))?;
    generate_from(&text)
}

/// Every generated file, from the spec's text.
fn generate_from(text: &str) -> Result<Vec<Output>, String> {
    let spec: openapiv3::OpenAPI =
        serde_yaml::from_str(text).map_err(|e| format!("parsing {SPEC}: {e}"))?;
    let open_enums = enums::collect(&spec)?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::Inner))
        .with_derive("PartialEq");
    for open_enum in &open_enums {
        // Every string enum becomes an open enum that keeps values it does not know.
        settings.with_replacement(
            &open_enum.name,
            format!("crate::types::{}", open_enum.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    // Request bodies with required fields of plain types still get `Default`, so that
    // `TokenRequest { parameters, ..Default::default() }` works.
    for name in defaultable_structs(&spec) {
        settings.with_patch(
            name,
            progenitor::TypePatch::default().with_derive("Default"),
        );
    }
    // Credentials are `format: secret` strings: they become `crate::Secret`, whose Debug is redacted.
    settings.with_conversion(
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("secret".to_string()),
            ..Default::default()
        },
        "crate::Secret",
        std::iter::empty(),
    );

    let mut generator = Generator::new(&settings);
    let client = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let mut client: syn::File =
        syn::parse2(client).map_err(|e| format!("parsing generated client: {e}"))?;
    let keep_unknown = unknown::schemas(&spec)?;
    postprocess::client(&mut client, &open_enums, &keep_unknown)?;
    postprocess::one_doc_line_per_attribute(&mut client);

    let mut mock_generator = Generator::new(&settings);
    let mock = mock_generator
        .httpmock(&spec, "crate")
        .map_err(|e| format!("progenitor httpmock: {e}"))?;
    let mut mock: syn::File =
        syn::parse2(mock).map_err(|e| format!("parsing generated mocks: {e}"))?;
    postprocess::mock(&mut mock)?;
    postprocess::one_doc_line_per_attribute(&mut mock);

    let operations = sdk::operations(&spec, &client)?;
    let types = postprocess::split_types(&mut client)?;
    let sdk_file = |path: &str, tokens: proc_macro2::TokenStream, what: &str| {
        let file: syn::File =
            syn::parse2(tokens).map_err(|e| format!("parsing generated {path}: {e}"))?;
        Ok::<_, String>(Output {
            path: path.to_string(),
            contents: render_sdk(&file, what)?,
        })
    };

    Ok(vec![
        Output {
            path: format!("{OUT_DIR}/client.rs"),
            contents: render(&client, "the client")?,
        },
        Output {
            path: TYPES_FILE.to_string(),
            contents: render(&types, "the request and response types and open enums")?,
        },
        Output {
            path: format!("{OUT_DIR}/mock.rs"),
            contents: render(&mock, "typed httpmock helpers (feature `mock`)")?,
        },
        sdk_file(
            "authlete/src/operations.rs",
            sdk::client_methods(&operations),
            "one `authlete::Client` method per operation",
        )?,
        sdk_file(
            "authlete/src/routes.rs",
            sdk::routes(&operations),
            "the route of every operation",
        )?,
        sdk_file(
            "authlete/src/query.rs",
            sdk::query_structs(&operations),
            "the query structs of the operations with several optional query parameters",
        )?,
        sdk_file(
            "authlete/src/blocking/methods.rs",
            sdk::blocking_methods(&operations),
            "the blocking facade's methods",
        )?,
        sdk_file(
            "authlete/src/pagination/lists.rs",
            sdk::paging(&operations),
            "the paging helpers of the operations marked `x-pages`",
        )?,
        sdk_file(
            "authlete/tests/it/operations/cases.rs",
            sdk::test_cases(&spec, &operations)?,
            "the operation tests' table",
        )?,
    ])
}

/// Object schemas whose required properties are all inline scalars or lists (no enum or
/// object reference), and which typify therefore gives no `Default` of its own.
fn defaultable_structs(spec: &openapiv3::OpenAPI) -> Vec<String> {
    use openapiv3::{ReferenceOr, SchemaKind, Type};
    let Some(components) = &spec.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| {
            let ReferenceOr::Item(schema) = schema else {
                return None;
            };
            let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
                return None;
            };
            let plain = |property: &str| {
                matches!(
                    object.properties.get(property),
                    Some(ReferenceOr::Item(schema)) if matches!(schema.schema_kind, SchemaKind::Type(_))
                )
            };
            (!object.required.is_empty() && object.required.iter().all(|p| plain(p)))
                .then(|| name.clone())
        })
        .collect()
}

/// Pretty-prints a syntax tree, adds the header, and formats it with rustfmt so that
/// `cargo fmt --check` agrees with what was generated.
fn render(file: &syn::File, what: &str) -> Result<String, String> {
    let header = format!(
        "// @generated by `cargo xtask codegen` from openapi/authlete.yaml with progenitor \
         {PROGENITOR_VERSION}: {what}.\n// Do not edit: change the spec or xtask and regenerate.\n\n"
    );
    let code = header + &prettyplease::unparse(file);
    rustfmt(&code)
}

/// As [`render`], for the files of the `authlete` crate, which progenitor does not write.
fn render_sdk(file: &syn::File, what: &str) -> Result<String, String> {
    let mut file = file.clone();
    postprocess::one_doc_line_per_attribute(&mut file);
    let header = format!(
        "// @generated by `cargo xtask codegen` from openapi/authlete.yaml: {what}.\n\
         // Do not edit: change the spec or xtask and regenerate.\n\n"
    );
    rustfmt(&(header + &blank_lines_between_items(&prettyplease::unparse(&file))))
}

/// prettyplease writes items without blank lines between them; a blank line after each item
/// that closes with a brace, before the next one at the same indentation, reads better.
fn blank_lines_between_items(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = String::with_capacity(code.len() + code.len() / 20);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.get(i + 1) else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let next_indent = next.len() - next.trim_start().len();
        let closes = matches!(line.trim(), "}" | "};");
        let opens_item = [
            "///", "#[", "pub ", "fn ", "impl", "const ", "static ", "use ", "mod ",
        ]
        .iter()
        .any(|start| next.trim_start().starts_with(start));
        let use_ends =
            line.trim_start().starts_with("use ") && !next.trim_start().starts_with("use ");
        if (closes && opens_item && indent == next_indent)
            || (use_ends && next_indent == indent && !next.trim().is_empty())
        {
            out.push('\n');
        }
    }
    out
}

fn rustfmt(code: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt (rustup component add rustfmt): {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = code.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer thread panicked".to_string())?
        .map_err(|e| format!("writing to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An operation the spec does not have, with everything the generator reads: a service,
    /// two optional query parameters (so a query struct) and a paged answer.
    const EXTRA_OPERATION: &str = r#"  /api/{serviceId}/extra/ping:
    get:
      summary: Ping the extra operation
      description: An operation that only this test adds to the spec.
      parameters:
      - $ref: '#/components/parameters/ServiceId'
      - in: query
        name: start
        schema:
          type: integer
          format: int32
        required: false
        description: First index.
      - in: query
        name: end
        schema:
          type: integer
          format: int32
        required: false
        description: Index past the last.
      responses:
        '200':
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ServiceGetListResponse'
          description: The page.
        4XX:
          $ref: '#/components/responses/ApiError'
        5XX:
          $ref: '#/components/responses/ApiError'
      operationId: extra_ping_api
      x-rust-method: extra_ping
      x-java-method: extraPing
      x-credentials: service
      x-v2-path: '/api/extra/ping'
      x-pages:
        field: services
        items: extra_items
        pages: extra_pages
      tags:
      - Utility Endpoints
"#;

    /// Adding an operation is one spec edit: generated from a copy of the spec with one more
    /// operation, every generated file has it.
    #[test]
    fn an_operation_added_to_the_spec_reaches_every_generated_file() {
        let spec = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
        let with_extra = spec.replacen("paths:\n", &format!("paths:\n{EXTRA_OPERATION}"), 1);
        assert_ne!(spec, with_extra, "the spec has a `paths:` line");

        let before = generate_from(&spec).unwrap();
        let after = generate_from(&with_extra).unwrap();
        let expected: &[(&str, &[&str])] = &[
            (
                "authlete-sys/src/generated/client.rs",
                &["fn extra_ping_api", "fn extra_ping_api_request"],
            ),
            // The operation reuses existing schemas: no new type.
            ("authlete-types/src/generated/types.rs", &[]),
            (
                "authlete-sys/src/generated/mock.rs",
                &["fn extra_ping_api", "ExtraPingApiWhen"],
            ),
            (
                "authlete/src/operations.rs",
                &["pub fn extra_ping", "`extraPing`"],
            ),
            (
                "authlete/src/routes.rs",
                &["pub const EXTRA_PING_API", "\"/api/extra/ping\""],
            ),
            ("authlete/src/query.rs", &["pub struct ExtraPingQuery"]),
            ("authlete/src/blocking/methods.rs", &["fn extra_ping("]),
            (
                "authlete/src/pagination/lists.rs",
                &["pub fn extra_items", "pub fn extra_pages"],
            ),
            (
                "authlete/tests/it/operations/cases.rs",
                &["name: \"extra_ping\"", "/api/7159/extra/ping"],
            ),
        ];
        assert_eq!(after.len(), expected.len(), "a check per generated file");
        for (out, (path, needles)) in after.iter().zip(expected) {
            assert_eq!(out.path, *path);
            let old = &before.iter().find(|o| o.path == out.path).unwrap().contents;
            for needle in *needles {
                assert!(!old.contains(needle), "{path} had {needle} before");
                assert!(out.contents.contains(needle), "{path} lacks {needle}");
            }
        }
    }
}
