// Package sign is AK/SK request signing, the SDK-HMAC-SHA256 scheme of
// Huawei Cloud's API gateway and official SDKs: the Client's signer, and the
// gateway's check of a signature for the fake API and the tests. It is
// internal because library users need neither: they give ClientConfig their
// keys, and the root package validates those before it builds a Signer.
//
// The steps, as the public signing guide states them:
//
//  1. X-Sdk-Date: the UTC time as 20060102T150405Z.
//  2. The canonical request, lines joined by "\n": the method; the path with
//     each segment URI-encoded and a "/" appended; the query with keys
//     sorted and keys and values URI-encoded; one "name:trimmed value\n"
//     line per signed header, sorted; the signed header names joined by
//     ";"; the hex SHA-256 of the body (empty for GET).
//  3. The string to sign: "SDK-HMAC-SHA256\n{date}\n{hex sha256 of 2}".
//  4. The signature: hex HMAC-SHA256 of 3, keyed by the SK.
//  5. Authorization: SDK-HMAC-SHA256 Access={AK}, SignedHeaders={names}, Signature={hex}.
//
// The official Go SDK (huaweicloud-sdk-go-v3 v0.1.207) signs every header it
// has set at signing time except Content-Type and names holding '_': for the
// get-job call that is user-agent, x-language (when set), x-project-id,
// x-sdk-date and x-security-token (temporary credentials). It does not sign
// host. The gateway recomputes the signature over whatever SignedHeaders
// lists, so the Signer signs the headers that matter and nothing a proxy
// might rewrite: host (as the signing guide's example does, binding the
// signature to the endpoint), x-language, x-project-id, x-sdk-date and
// x-security-token, each when present. The huaweisdk module's tests check
// that the SDK's signer and this one agree byte for byte on identical inputs.
package sign
