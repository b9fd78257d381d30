// Package sealed seals secrets at rest: the secret access keys and session tokens of stored
// credentials, and the installation's own keys (the console's cookie key, Config's result-token
// key). It uses AES-256-GCM under a 32-byte key kept in a file apart from the database, created
// with mode 0600 on first start; the database, SQLite file or PostgreSQL, holds only sealed
// values, so a copy of it without the key file yields no usable credential.
//
// A sealed value is "sealed1:" followed by the base64url of the nonce and the ciphertext. Each
// value is bound to a context (the access key ID, the record's name) given as associated data,
// so that a sealed value moved to another record does not open. Values stored before sealing
// existed have no prefix; Open passes them through, and the server reseals them at start.
//
// This package must never log or return a secret in an error, and imports no orgconfig
// package (tests/deps checks it).
package sealed
