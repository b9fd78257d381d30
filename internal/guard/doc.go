// Package guard parses and evaluates a subset of AWS CloudFormation Guard 2.x, the language
// of AWS Config CUSTOM_POLICY rules (runtime "guard-2.x.x"). AWS Config evaluates a rule's
// PolicyText against each configuration item in scope, given as a JSON document with the
// item's fields (resourceType, configuration, supplementaryConfiguration, tags ...); Parse
// and Policy.Evaluate do the same here.
//
// The package is pure: no I/O, no clock, no globals, no orgconfig import (tests/deps checks it).
// It must never evaluate a policy it only partly understands, so anything outside the subset
// below is refused by Parse with an *UnsupportedError rather than silently ignored.
//
// # Supported
//
//   - Named rules: rule name [when conditions] { ... }. Conditions may reference other rules;
//     a condition that does not PASS (a referenced rule that FAILs or SKIPs included) makes
//     the rule SKIP. Clauses outside any rule form a rule named "default".
//   - Clauses joined by newlines (AND) and or/OR (OR binds tighter: conjunctive normal form).
//   - let at file, rule and block scope, holding a literal or a query; %name references.
//     Variables are evaluated lazily in the scope that declares them, and may be used before
//     their let within the same block.
//   - Queries: dotted keys, 'quoted' keys, ["key"], [N] (negative counts from the end),
//     numeric keys on lists (Tags.0), [*], .*, this, %var roots, and filters [ clauses ].
//   - some, not / ! (before a whole clause or a rule name), and the operators
//     == != < > <= >= in, not in / !in, exists empty is_string is_list is_struct is_bool
//     is_int is_float is_null (each also negated with not or !). Keywords are accepted in
//     lower and upper case (NOT, IN, EXISTS, OR ...).
//   - Literals: 'single' and "double" quoted strings (escapes \\ \' \" \n \t \r), integers,
//     floats, true, false, null, lists, maps, /regex/ (Go RE2 syntax; == means "matches
//     anywhere", != "does not match") and numeric ranges r[a,b], r(a,b), r[a,b), r(a,b].
//   - when blocks and query blocks ([some] query { ... }) inside rules, filters and at file
//     level; custom messages <<...>> after a clause or rule reference; # comments.
//
// # Not supported (an *UnsupportedError)
//
// Parameterized rules, function calls (count, json_parse, regex_replace, ...), map key
// filters ([keys == ...]), named captures ([name]), variable interpolation inside a query
// (a.%b), type blocks (AWS::S3::Bucket { ... }, which apply to templates), character ranges,
// and two rules with the same name.
//
// # Evaluation
//
// A query yields a list of values. A step that cannot be taken (a missing key, an index out
// of range, [*] on an empty list, .* on an empty map, a key on a non-struct) yields an
// "unresolved" value in its place; a filter that keeps nothing yields no values at all. This
// follows cfn-guard's documented retrieval rules:
//
//   - Any unresolved value makes a binary or type clause FAIL: "x == 1" fails when x is
//     missing. exists is false and empty is true for it, so "x !exists" and "x empty" PASS.
//     In a when condition such a FAIL means the guarded block is SKIPped.
//   - A query with no values at all (only possible through a filter) makes the clause SKIP,
//     so "Resources.*[ Type == 'X' ].Encrypted == true" skips when there is no X. The one
//     exception is empty on a lone variable or a query ending in a filter: "%targets empty"
//     PASSes and "%targets !empty" FAILs when nothing was selected, the idiom for guarding
//     a block.
//   - Every value must satisfy the operator unless the clause starts with some, in which
//     case one suffices.
//   - A list on the left is compared element by element when comparing it as a whole makes
//     no sense: always for < > <= >=, and for == and != when the right-hand side holds no
//     list. A scalar equals a one-element list holding it, so tableStatus == ['ACTIVE']
//     holds for "ACTIVE".
//   - When the right-hand side is a query with several values, == holds when the value
//     equals one of them, != when it equals none, and orderings must hold against all. A
//     right-hand query that is unresolved or selects nothing makes the clause FAIL.
//   - in: a member of a list literal, equal to a scalar, or (as in cfn-guard) a substring of
//     a right-hand string. A list on the left is in when all its elements are; not in
//     requires that none is.
//   - Values of different kinds are never equal (so != holds between them) and are not
//     ordered (so < and friends FAIL). Numbers compare by value across integers and floats.
//   - null exists (it is a value), is empty and is_null.
//   - A query block evaluates its body once per value with this bound to it: an unresolved
//     value FAILs, no values SKIP; without some no value may FAIL, with some one must PASS.
//   - Statuses combine as in Guard: AND is FAIL if any FAIL, else PASS if any PASS, else
//     SKIP; OR is PASS if any PASS, else FAIL if any FAIL, else SKIP; not swaps PASS and
//     FAIL and leaves SKIP alone.
//
// Map values are visited in key order, so results and messages are deterministic.
//
// # Limits
//
// Blocks, filters and literal lists or maps may nest at most 64 levels (maxNesting); deeper
// input is a *SyntaxError, which keeps recursion bounded for arbitrary text. Rules and
// variables that depend on themselves are rejected by Parse. Equality descends at most 512
// levels into a value. A failing rule keeps at most 20 messages.
package guard
