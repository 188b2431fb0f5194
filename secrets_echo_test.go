package taurusjob

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// credentialCases are the ways a client can hold a credential, each with
// the secrets its requests carry or its config holds.
var credentialCases = []struct {
	name    string
	edit    func(*ClientConfig)
	secrets []string
}{
	{"token", nil, []string{testToken}},
	{"token source", useSentinelSource, []string{sentinelToken}},
	{"AK/SK with security token", func(c *ClientConfig) {
		c.Token, c.AccessKey, c.SecretKey, c.SecurityToken = "", sentinelAK, sentinelSK, sentinelSTS
	}, []string{sentinelAK, sentinelSK, sentinelSTS}},
}

// requestSecrets returns what r carries that a server may echo: the
// token, the security token, the access key and the signature.
func requestSecrets(r *http.Request) []string {
	out := []string{r.Header.Get("X-Auth-Token"), r.Header.Get("X-Security-Token")}
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, sig, _ := strings.Cut(auth, "Signature=")
		_, ak, _ := strings.Cut(auth, "Access=")
		ak, _, _ = strings.Cut(ak, ",")
		out = append(out, sig, ak)
	}
	return out
}

// jsonEscapeAll writes s as a JSON string body with every byte escaped as
// \u00XX: valid JSON that no byte-level search finds s in.
func jsonEscapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, `\u%04x`, s[i])
	}
	return b.String()
}

// TestCredentialEchoedEscapedIntoTheJob: a 2xx job that carries the
// credentials JSON-escaped ("\u004d\u0049…") decodes into them in clear.
// No decoded field of the job (id, name, status, fail_reason, instance id
// and name, entities), nor Raw (printed by the CLI's --output json), nor
// the failure built from it shows any 12-byte piece of any credential.
func TestCredentialEchoedEscapedIntoTheJob(t *testing.T) {
	for _, cc := range credentialCases {
		t.Run(cc.name, func(t *testing.T) {
			var sent []string
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				secrets := requestSecrets(r)
				sent = append(sent, secrets...)
				all := jsonEscapeAll(strings.Join(secrets, " "))
				fmt.Fprintf(w, `{"job":{"id":%q,"name":"%s","status":"%s","fail_reason":"token %s rejected",`+
					`"instance":{"id":"%s","name":"%s"},"entities":{"%s":"%s","n":["%s"]}}}`,
					r.URL.Query().Get("id"), all, all, all, all, all, all, all, all)
			})
			c := newTestClient(t, srv.URL, cc.edit)
			job, err := c.GetJob(context.Background(), testJobID)
			if err != nil {
				t.Fatal(err)
			}
			secrets := append(sent, cc.secrets...)
			for where, text := range map[string]string{"name": job.Name, "status": string(job.Status),
				"fail_reason": job.FailReason, "instance id": job.Instance.ID, "instance name": job.Instance.Name,
				"entities": string(job.Entities), "raw": string(job.Raw), "failure": (&JobFailedError{Job: job}).Error(),
				"job %+v": fmt.Sprintf("%+v", job)} {
				secretcheck.Assert(t, where, text, secrets...)
			}
			if !json.Valid(job.Raw) || !strings.Contains(job.FailReason, "[REDACTED]") || job.ID != testJobID {
				t.Errorf("Raw %s, fail_reason %q, id %q: want Raw still JSON, the secret replaced, the id kept", job.Raw, job.FailReason, job.ID)
			}
		})
	}
}

// TestCredentialEchoedEscapedAsTheJobID: a job id that decodes into a
// 40-byte prefix of the token is not the job asked for; the error does not
// quote any piece of the token.
func TestCredentialEchoedEscapedAsTheJobID(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"job":{"id":"%s","status":"Running"}}`, jsonEscapeAll(r.Header.Get("X-Auth-Token")[:40]))
	})
	_, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
	asAPIError(t, err)
	secretcheck.AssertError(t, "GetJob", err, testToken)
}

// TestSecretPiecesInErrors: pieces of a secret, none of them whole, reach
// no error: halves in error_code and error_msg that Error() prints on one
// line, X-Request-Id plus error_msg, a 40-byte prefix, the token base64-
// encoded, and a 16-byte piece in a malformed header line the transport
// quotes.
func TestSecretPiecesInErrors(t *testing.T) {
	half := len(testToken) / 2
	tests := []struct {
		name   string
		answer func(token string) string // a whole raw HTTP answer
	}{
		{"error_code and error_msg halves", func(tok string) string {
			return jsonAnswer(400, "", fmt.Sprintf(`{"error_code":"%s","error_msg":"%s"}`, tok[:half], tok[half:]))
		}},
		{"X-Request-Id and error_msg halves", func(tok string) string {
			return jsonAnswer(401, "X-Request-Id: "+tok[:half]+"\r\n", fmt.Sprintf(`{"error_code":"APIGW.0301","error_msg":"%s"}`, tok[half:]))
		}},
		{"a 40-byte prefix", func(tok string) string {
			return jsonAnswer(401, "", fmt.Sprintf(`{"error_code":"APIGW.0301","error_msg":"token %s expired"}`, tok[:40]))
		}},
		{"base64 of the token", func(tok string) string {
			return jsonAnswer(401, "", fmt.Sprintf(`{"error_msg":"bad credential %s"}`, base64.StdEncoding.EncodeToString([]byte(tok))))
		}},
		{"base64 of a piece, off alignment", func(tok string) string {
			return jsonAnswer(403, "", fmt.Sprintf(`{"error_msg":"%s"}`, base64.URLEncoding.EncodeToString([]byte(tok[7:40]))))
		}},
		{"escaped halves", func(tok string) string {
			return jsonAnswer(400, "", fmt.Sprintf(`{"error_code":"%s","error_msg":"%s"}`, jsonEscapeAll(tok[:half]), jsonEscapeAll(tok[half:])))
		}},
		{"16 bytes in a malformed header line", func(tok string) string {
			return "HTTP/1.1 200 OK\r\nX-Ok: 1\r\n" + tok[3:19] + "\r\n\r\n"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, _ := rawServer(t, func(conn net.Conn, done <-chan struct{}) {
				r, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = io.WriteString(conn, tt.answer(r.Header.Get("X-Auth-Token")))
				_ = conn.Close()
			})
			_, err := newTestClient(t, url, nil).GetJob(context.Background(), testJobID)
			if err == nil {
				t.Fatal("GetJob succeeded")
			}
			secretcheck.AssertError(t, "GetJob", err, testToken)
			t.Log(err)
		})
	}
}

// jsonAnswer is a raw HTTP/1.1 answer with a JSON body.
func jsonAnswer(status int, headers, body string) string {
	return fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n%s",
		status, http.StatusText(status), len(body), headers, body)
}
