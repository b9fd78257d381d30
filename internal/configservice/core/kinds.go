package core

// KindRulesActive exists while a scope has at least one Config rule (scope Scope(account,
// region), id "", body {"count":n}). The evaluation area maintains it; item writes in the
// recording area read it to know whether changes must be evaluated.
const KindRulesActive = "config-rules-active"
