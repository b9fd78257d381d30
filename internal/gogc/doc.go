// Package gogc sets the Go garbage collector's target (GOGC) of a process that hosts an
// orgconfig server: `orgconfig serve`, and the benchmarks, which run the server in their own
// process and must run it as serve does for their figures to compare.
//
// It changes the whole process, so only a main package calls it, once at start. A library or a
// test server must never call it, and it must never override a GOGC the environment sets.
package gogc
