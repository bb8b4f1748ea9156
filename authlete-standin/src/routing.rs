//! Which Authlete operation a request calls: its method and path matched against the route
//! table generated from the spec (`authlete::routes`), in API generations 3 and 2.

use authlete::routes::{self, Route};

use crate::credentials::Generation;

/// The operation a request calls, the generation of its path, and the service its path
/// names (`{serviceId}` in generation 3, `{serviceApiKey}` in some generation 2 paths).
#[derive(Debug)]
pub(crate) struct Matched {
    pub(crate) route: &'static Route,
    pub(crate) generation: Generation,
    pub(crate) service: Option<String>,
}

/// The route `method` and `path` call; of several that match, the one with the most literal
/// segments (`/client/get/list` rather than `/client/get/{clientId}`).
pub(crate) fn find(method: &str, path: &str) -> Option<Matched> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut best: Option<(usize, Matched)> = None;
    for route in routes::ALL.iter().copied() {
        if !route.method.eq_ignore_ascii_case(method) {
            continue;
        }
        let templates = [(route.v3_path, Generation::V3)]
            .into_iter()
            .chain(route.v2_path.map(|path| (path, Generation::V2)));
        for (template, generation) in templates {
            let Some((literals, service)) = matches(template, &segments) else {
                continue;
            };
            if best.as_ref().is_none_or(|(score, _)| literals > *score) {
                let matched = Matched {
                    route,
                    generation,
                    service,
                };
                best = Some((literals, matched));
            }
        }
    }
    best.map(|(_, matched)| matched)
}

/// Whether the path of `route` names the service the operation manages rather than the
/// caller's service (the spec's `x-service-id: argument`, which the route table does not
/// carry).
pub(crate) fn names_a_managed_service(route: &Route) -> bool {
    matches!(
        route.operation,
        "service_get_api" | "service_update_api" | "service_delete_api"
    )
}

/// When `segments` fit `template`: how many of its segments are literal, and the service
/// it names.
fn matches(template: &str, segments: &[&str]) -> Option<(usize, Option<String>)> {
    let parts: Vec<&str> = template.split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut literals = 0;
    let mut service = None;
    for (part, segment) in parts.iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(_) if segment.is_empty() => return None,
            Some("serviceId" | "serviceApiKey") => service = Some((*segment).to_owned()),
            Some(_) => {}
            None if part == segment => literals += 1,
            None => return None,
        }
    }
    Some((literals, service))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters() {
        let list = find("GET", "/api/715948317/client/get/list").unwrap();
        assert_eq!(list.route.operation, "client_get_list_api");
        assert_eq!(list.generation, Generation::V3);
        assert_eq!(list.service.as_deref(), Some("715948317"));
        let one = find("GET", "/api/715948317/client/get/42").unwrap();
        assert_eq!(one.route.operation, "client_get_api");
    }

    #[test]
    fn generation_2_paths_are_found() {
        let token = find("POST", "/api/auth/token").unwrap();
        assert_eq!(token.route.operation, "auth_token_api");
        assert_eq!(token.generation, Generation::V2);
        assert_eq!(token.service, None);
        let v3 = find("POST", "/api/1/auth/token").unwrap();
        assert_eq!(v3.generation, Generation::V3);
    }

    #[test]
    fn every_route_finds_itself_in_both_generations() {
        let fill = |template: &str| {
            let parts = template
                .split('/')
                .map(|p| if p.starts_with('{') { "7" } else { p });
            parts.collect::<Vec<_>>().join("/")
        };
        for route in routes::ALL.iter().copied() {
            let found = find(route.method, &fill(route.v3_path)).unwrap();
            assert_eq!(found.route.operation, route.operation, "{}", route.v3_path);
            if let Some(v2) = route.v2_path {
                let found = find(route.method, &fill(v2)).unwrap();
                assert_eq!(found.route.operation, route.operation, "{v2}");
            }
        }
    }

    #[test]
    fn unknown_paths_and_methods_are_not_found() {
        assert!(find("GET", "/api/auth/token").is_none());
        assert!(find("POST", "/nothing/here").is_none());
        assert!(find("POST", "/").is_none());
    }
}
