// Package sdkhttp is the HTTP client for the project's own aws-sdk-go-v2 callers: the test
// harness, the benchmarks, the durability suite and `orgconfig query --endpoint`.
//
// It exists for one race in the SDK's HTTP layer. smithy-go wraps each request body in a
// reader whose WriteTo answers io.EOF once the body is closed, and it closes the body as soon
// as the transport hands back the response. net/http's transport may still be inside the
// request write at that moment (after the Content-Length bytes it drains the rest of the body
// with io.Copy, which calls WriteTo), takes the io.EOF for a body read error and closes the
// connection under the response that is being read: the caller sees "use of closed network
// connection" on a 200. The SDK's default retryer hides this with a retry; our callers turn
// retries off to see every first answer, so they detach the body instead: the transport gets a
// copy of its own that nobody else closes.
//
// It must never change what a request sends (the transport gets a byte-for-byte copy of the
// signed body) nor retry one: its callers turn the SDK's retries off to see every first answer.
package sdkhttp
