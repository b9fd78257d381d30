// Package memo is the bounded map behind the process's caches of derived values: decoded
// records keyed by their bytes, answers keyed by what validates them. Values are shared and must
// never be modified once stored.
//
// A Map must never grow without bound (it starts again empty at its bound) nor hold a value that
// cannot be rebuilt from its key's source of truth, and the package imports no orgconfig package
// (tests/deps checks it).
package memo
