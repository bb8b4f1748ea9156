//! The spec as the judge of an answer: `openapi/authlete.yaml`, read at test time, its
//! OpenAPI 3.0 schemas turned into JSON Schema (draft 2020-12), and a JSON body validated
//! against the response schema of an operation for a status, by a JSON Schema validator.
//!
//! Stricter than the spec on one point: an object schema that lists its `properties` refuses
//! members it does not list (a misspelt member name is a mismatch), except in the schemas the
//! spec marks `x-keep-unknown` and those they refer to, which carry unknown members by design.

#![allow(dead_code)] // the operation table is for the stand-in's conformance tests

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde_json::{Map, Value, json};

/// Where component schemas live in the spec, and where they go in the JSON Schema.
const SPEC_REFS: &str = "#/components/schemas/";
const JSON_SCHEMA_REFS: &str = "#/$defs/";

/// The spec, read once per test binary.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/authlete.yaml");
        let text = std::fs::read_to_string(path).expect("openapi/authlete.yaml is readable");
        Spec::parse(&text)
    })
}

/// An operation of the spec, as far as answers go.
pub struct Operation {
    /// Its HTTP method, upper case.
    pub method: String,
    /// Its API generation 3 path.
    pub path: String,
    /// Its API generation 2 path, when it has one.
    pub v2_path: Option<String>,
    /// The credentials it takes (`x-credentials`): `service`, `service-owner`,
    /// `service-owner-preferred` or `none`.
    pub credentials: String,
    /// Its `responses` object, as written in the spec.
    responses: Value,
}

/// The operations and component schemas of `openapi/authlete.yaml`.
pub struct Spec {
    operations: HashMap<String, Operation>,
    /// The component schemas, converted to JSON Schema.
    defs: Map<String, Value>,
    /// The raw document, for `#/components/responses/...` references.
    document: Value,
    /// The compiled response schemas, by operation ID and response key.
    validators: Mutex<Validators>,
}

/// Why an answer does not conform: one line per problem.
#[derive(Debug)]
pub struct Mismatch {
    pub operation: String,
    pub status: u16,
    pub problems: Vec<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} answered {}:", self.operation, self.status)?;
        for problem in &self.problems {
            writeln!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl Spec {
    /// Reads a spec from its YAML text.
    pub fn parse(yaml: &str) -> Spec {
        let document: Value = serde_yaml::from_str(yaml).expect("the spec parses as YAML");
        let mut operations = HashMap::new();
        for (path, item) in document["paths"].as_object().expect("the spec has paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let Some(id) = operation["operationId"].as_str() else {
                    continue; // `parameters` and the like
                };
                let v2_path = operation["x-v2-path"].as_str().map(str::to_string);
                operations.insert(
                    id.to_string(),
                    Operation {
                        method: method.to_uppercase(),
                        path: path.clone(),
                        v2_path,
                        credentials: operation["x-credentials"]
                            .as_str()
                            .unwrap_or("service")
                            .to_string(),
                        responses: operation["responses"].clone(),
                    },
                );
            }
        }
        let schemas = document["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let open = open_schemas(&schemas);
        let defs = schemas
            .iter()
            .map(|(name, schema)| (name.clone(), convert(schema, open.contains(name))))
            .collect();
        Spec {
            operations,
            defs,
            document,
            validators: Mutex::default(),
        }
    }

    /// The operation named `id`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.get(id)
    }

    /// Every operation ID of the spec.
    pub fn operation_ids(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(String::as_str)
    }

    /// Checks `body` (`None` for an empty body) as the answer of operation `id` with
    /// `status`: the spec must describe that status, the body must validate against its
    /// schema, and its `action`, if any, must be one the spec lists for the answer.
    pub fn check(&self, id: &str, status: u16, body: Option<&Value>) -> Result<(), Mismatch> {
        let mismatch = |problems: Vec<String>| Mismatch {
            operation: id.into(),
            status,
            problems,
        };
        let Some(operation) = self.operations.get(id) else {
            return Err(mismatch(vec!["the spec has no such operation".into()]));
        };
        let Some((key, response)) = self.response(operation, status) else {
            return Err(mismatch(vec![format!(
                "the spec describes no {status} answer"
            )]));
        };
        let schema = &response["content"]["application/json"]["schema"];
        let body = match (schema.is_null(), body) {
            (true, None) => return Ok(()),
            (true, Some(_)) => {
                return Err(mismatch(vec![format!(
                    "the spec's {key} answer has no JSON body, but one was sent"
                )]));
            }
            (false, None) => {
                return Err(mismatch(vec![format!(
                    "the spec's {key} answer has a JSON body, but none was sent"
                )]));
            }
            (false, Some(body)) => body,
        };
        let mut problems = self.validate(id, &key, schema, body);
        if let Some(action) = body.get("action") {
            match self.actions(schema) {
                Some(actions) if action.as_str().is_some_and(|a| actions.contains(a)) => {}
                Some(actions) => problems.push(format!(
                    "action {action} is not one of the spec's: {actions:?}"
                )),
                None => problems.push(format!(
                    "action {action} sent, but the spec lists no action for this answer"
                )),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(mismatch(problems))
        }
    }

    /// The `action` values the spec lists for `schema`'s `action` member, if it has one.
    pub fn actions(&self, schema: &Value) -> Option<BTreeSet<String>> {
        let schema = self.resolve(schema)?;
        let action = self.resolve(&schema["properties"]["action"])?;
        let values = action["enum"].as_array()?;
        Some(
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        )
    }

    /// The `action` values of operation `id`'s answer with `status`.
    pub fn operation_actions(&self, id: &str, status: u16) -> Option<BTreeSet<String>> {
        let (_, response) = self.response(self.operations.get(id)?, status)?;
        self.actions(&response["content"]["application/json"]["schema"])
    }

    /// Follows `$ref`s (and a lone `allOf` wrapping one) to a component schema, as the spec
    /// writes it.
    fn resolve<'a>(&'a self, schema: &'a Value) -> Option<&'a Value> {
        let mut schema = schema;
        for _ in 0..8 {
            if let Some(target) = schema["$ref"].as_str() {
                let name = target.strip_prefix(SPEC_REFS)?;
                schema = &self.document["components"]["schemas"][name];
            } else if let Some([only]) = schema["allOf"].as_array().map(Vec::as_slice) {
                schema = only;
            } else {
                return (!schema.is_null()).then_some(schema);
            }
        }
        None
    }

    /// The response object for `status`: by its exact code, else by its class (`4XX`),
    /// else `default`; `#/components/responses/` references followed.
    fn response(&self, operation: &Operation, status: u16) -> Option<(String, Value)> {
        let class = format!("{}XX", status / 100);
        let key = [status.to_string(), class, "default".into()]
            .into_iter()
            .find(|key| !operation.responses[key.as_str()].is_null())?;
        let mut response = &operation.responses[key.as_str()];
        if let Some(target) = response["$ref"].as_str() {
            let name = target.strip_prefix("#/components/responses/")?;
            response = &self.document["components"]["responses"][name];
        }
        Some((key, response.clone()))
    }

    /// The problems the validator finds in `body`, one per failed leaf keyword.
    fn validate(&self, id: &str, key: &str, schema: &Value, body: &Value) -> Vec<String> {
        let mut validators = self
            .validators
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Validators { schemas, compiled } = &mut *validators;
        let index = *compiled
            .entry((id.to_string(), key.to_string()))
            .or_insert_with(|| {
                let mut root = match convert(schema, false) {
                    Value::Object(root) => root,
                    other => Map::from_iter([("allOf".to_string(), json!([other]))]),
                };
                root.insert("$schema".into(), json!(DRAFT));
                root.insert("$defs".into(), Value::Object(self.defs.clone()));
                let location = format!("urn:authlete-spec:{id}:{key}");
                let mut compiler = boon::Compiler::new();
                let fail = |e: boon::CompileError| panic!("{id} {key}: the schema compiles: {e}");
                if let Err(e) = compiler.add_resource(&location, Value::Object(root)) {
                    fail(e);
                }
                compiler.compile(&location, schemas).unwrap_or_else(fail)
            });
        let mut problems = Vec::new();
        if let Err(error) = schemas.validate(body, index) {
            leaves(&error, &mut problems);
        }
        problems
    }
}

/// The compiled response schemas, and their index by operation ID and response key.
#[derive(Default)]
struct Validators {
    schemas: boon::Schemas,
    compiled: HashMap<(String, String), boon::SchemaIndex>,
}

/// The dialect of the converted schemas.
const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The innermost errors of a validation error tree: where the body is wrong, and how.
fn leaves(error: &boon::ValidationError<'_, '_>, out: &mut Vec<String>) {
    if error.causes.is_empty() {
        out.push(format!("at '{}': {}", error.instance_location, error.kind));
    }
    error.causes.iter().for_each(|cause| leaves(cause, out));
}

/// The component schemas that keep unknown members: those marked `x-keep-unknown`, and every
/// component schema they refer to.
fn open_schemas(schemas: &Map<String, Value>) -> BTreeSet<String> {
    let mut open = BTreeSet::new();
    let mut pending: Vec<String> = schemas
        .iter()
        .filter(|(_, schema)| schema["x-keep-unknown"] == json!(true))
        .map(|(name, _)| name.clone())
        .collect();
    while let Some(name) = pending.pop() {
        if open.insert(name.clone()) {
            let mut refs = Vec::new();
            collect_refs(&schemas[&name], &mut refs);
            pending.extend(refs);
        }
    }
    open
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map.get("$ref").and_then(Value::as_str) {
                refs.extend(name.strip_prefix(SPEC_REFS).map(str::to_string));
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

/// An OpenAPI 3.0 schema object as JSON Schema 2020-12; `open` keeps its objects open to
/// members they do not list.
pub fn convert(schema: &Value, open: bool) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone(); // `true`, `false`
    };
    // In OpenAPI 3.0, members beside `$ref` are ignored.
    if let Some(target) = map.get("$ref").and_then(Value::as_str) {
        let target = match target.strip_prefix(SPEC_REFS) {
            Some(name) => format!("{JSON_SCHEMA_REFS}{name}"),
            None => target.to_string(),
        };
        return json!({ "$ref": target });
    }
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, schema)| (name.clone(), convert(schema, open)))
                    .collect(),
            ),
            "items" | "not" => convert(value, open),
            "additionalProperties" if value.is_object() => convert(value, open),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|schema| convert(schema, open))
                    .collect(),
            ),
            // OpenAPI 3.0's boolean form: the bound is `minimum`/`maximum`.
            "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => continue,
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" => continue,
            key if key.starts_with("x-") => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if map.get(flag) == Some(&Value::Bool(true))
            && let Some(limit) = out.remove(bound)
        {
            out.insert(flag.into(), limit);
        }
    }
    // The integer formats bound the value.
    let bounds = match map.get("format").and_then(Value::as_str) {
        Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
        Some("int64") => Some((json!(i64::MIN), json!(i64::MAX))),
        _ => None,
    };
    if let Some((min, max)) = bounds {
        out.entry("minimum").or_insert(min);
        out.entry("maximum").or_insert(max);
    }
    let is_object = map.get("type").and_then(Value::as_str) == Some("object");
    if is_object && map.contains_key("properties") && !map.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), Value::Bool(open));
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        // OpenAPI 3.0.3: with `enum`, null is allowed only when the enum lists it.
        if let Some(Value::Array(values)) = out.get("enum") {
            if values.contains(&Value::Null) {
                widen_type(&mut out);
            }
        } else {
            widen_type(&mut out);
        }
    }
    Value::Object(out)
}

/// `type: T` becomes `type: [T, "null"]`; a schema with no `type` (say an `allOf`) admits
/// null through `anyOf`.
fn widen_type(schema: &mut Map<String, Value>) {
    match schema.get_mut("type") {
        Some(Value::String(name)) => {
            let name = std::mem::take(name);
            schema.insert("type".into(), json!([name, "null"]));
        }
        _ => {
            let inner = std::mem::take(schema);
            schema.insert(
                "anyOf".into(),
                json!([Value::Object(inner), { "type": "null" }]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{convert, spec};

    fn problems(id: &str, status: u16, body: serde_json::Value) -> String {
        match spec().check(id, status, Some(&body)) {
            Ok(()) => String::new(),
            Err(mismatch) => mismatch.to_string(),
        }
    }

    #[test]
    fn a_conforming_answer_passes() {
        let body = json!({
            "resultCode": "A004001",
            "resultMessage": "[A004001] Authlete has successfully issued a ticket.",
            "action": "INTERACTION",
            "ticket": "t-1",
            "client": { "clientId": 57297408867_i64, "clientName": "Example app" },
            "scopes": [{ "name": "openid" }],
        });
        assert_eq!(problems("auth_authorization_api", 200, body), "");
        let error = json!({ "resultCode": "A001201", "resultMessage": "[A001201] no" });
        assert_eq!(problems("auth_authorization_api", 401, error), "");
        assert!(spec().check("client_delete_api", 204, None).is_ok());
    }

    #[test]
    fn a_member_of_the_wrong_type_fails() {
        let found = problems("auth_authorization_api", 200, json!({ "ticket": 5 }));
        assert!(found.contains("at '/ticket'"), "{found}");
    }

    #[test]
    fn an_action_the_spec_does_not_list_fails() {
        let found = problems("auth_token_api", 200, json!({ "action": "REDIRECT" }));
        assert!(
            found.contains("action \"REDIRECT\" is not one of"),
            "{found}"
        );
        assert!(found.contains("at '/action'"), "{found}");
    }

    #[test]
    fn an_action_where_the_spec_has_none_fails() {
        let found = problems("client_get_api", 200, json!({ "action": "OK" }));
        assert!(found.contains("the spec lists no action"), "{found}");
    }

    #[test]
    fn a_member_the_spec_does_not_list_fails_unless_kept() {
        let found = problems("auth_token_api", 200, json!({ "acessToken": "typo" }));
        assert!(found.contains("acessToken"), "{found}");
        // Clients keep the members they do not know (x-keep-unknown), nested ones too.
        let client = json!({ "clientId": 1, "futureMember": { "a": 1 } });
        assert_eq!(problems("client_get_api", 200, client), "");
    }

    #[test]
    fn an_integer_outside_its_format_fails() {
        let found = problems("auth_token_api", 200, json!({ "accessTokenDuration": 1.5 }));
        assert!(found.contains("at '/accessTokenDuration'"), "{found}");
        let found = problems("service_get_list_api", 200, json!({ "start": 1_i64 << 40 }));
        assert!(found.contains("at '/start'"), "{found}");
    }

    #[test]
    fn a_status_or_body_the_spec_does_not_describe_fails() {
        let found = problems("auth_token_api", 302, json!({}));
        assert!(found.contains("describes no 302 answer"), "{found}");
        assert!(spec().check("auth_token_api", 200, None).is_err());
        assert!(
            spec()
                .check("client_delete_api", 204, Some(&json!({})))
                .is_err()
        );
    }

    #[test]
    fn openapi_nullable_and_refs_become_json_schema() {
        let converted = convert(&json!({ "type": "string", "nullable": true }), false);
        assert_eq!(converted, json!({ "type": ["string", "null"] }));
        let enumerated = json!({ "type": "string", "nullable": true, "enum": ["A", null] });
        assert_eq!(
            convert(&enumerated, false),
            json!({ "type": ["string", "null"], "enum": ["A", null] })
        );
        // OpenAPI 3.0.3: nullable without null in the enum still refuses null.
        let closed = json!({ "type": "string", "nullable": true, "enum": ["A"] });
        assert_eq!(
            convert(&closed, false),
            json!({ "type": "string", "enum": ["A"] })
        );
        let reference = json!({ "$ref": "#/components/schemas/Client", "description": "x" });
        assert_eq!(
            convert(&reference, false),
            json!({ "$ref": "#/$defs/Client" })
        );
        let wrapped = json!({ "allOf": [{ "$ref": "#/components/schemas/A" }], "nullable": true });
        assert_eq!(
            convert(&wrapped, false),
            json!({ "anyOf": [{ "allOf": [{ "$ref": "#/$defs/A" }] }, { "type": "null" }] })
        );
        let object = json!({ "type": "object", "properties": { "n": { "type": "integer", "format": "int32" } } });
        assert_eq!(
            convert(&object, false),
            json!({ "type": "object", "additionalProperties": false, "properties": {
                "n": { "type": "integer", "format": "int32",
                       "minimum": i32::MIN, "maximum": i32::MAX } } })
        );
    }
}
