//! The guide shows its complete example as tests/guide.rs is, so that what readers copy is
//! what CI compiles and runs.

#[test]
fn the_guide_shows_tests_guide_rs_as_it_is() {
    let guide = include_str!("../docs/testing-without-authlete.md");
    let example = include_str!("guide.rs");
    assert!(
        guide.contains(&format!("```rust\n{example}```")),
        "docs/testing-without-authlete.md does not show tests/guide.rs as it is"
    );
}

#[test]
fn the_readme_lists_the_operations_served() {
    let readme = include_str!("../README.md");
    let listed = readme
        .split("<!-- operations-served: start -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- operations-served: end -->").next())
        .expect("the README marks its list of operations");
    let mut listed: Vec<&str> = listed
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- `")?.strip_suffix('`'))
        .collect();
    listed.sort_unstable();
    let mut served = authlete_standin::operations_served();
    served.sort_unstable();
    assert_eq!(listed, served, "README.md: the list of operations served");
}
