package redact

import (
	"math/rand/v2"
	"testing"
)

// randomToken returns n bytes that look like an IAM token: base64
// characters, a fixed seed.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return "MIIE" + string(b[4:])
}

// BenchmarkContainsJobBody: the poll path's cost, a job body of 500 bytes
// with no secret in it, looked at for a token of 4 KB (with its escaped
// and base64 forms).
func BenchmarkContainsJobBody(b *testing.B) {
	token := randomToken(4096)
	set := Sets{New(token)}
	body := []byte(`{"job":{"id":"f9959f52-aa4d-43f7-be74-44b6fc20b239","name":"CreateGaussDBforMySQLInstance","status":"Running","created":"2018-08-06T10:41:14+0800","ended":"","process":"60%","instance":{"id":"d8e6ca5a624745bcb546a227aa3ae1cfin07","name":"gauss-1"},"entities":{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster"}},"fail_reason":""}}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if set.ContainsBytes(body) {
			b.Fatal("found a secret")
		}
	}
}

// BenchmarkNewSignatureSet: what an AK/SK request pays to look for its
// own signature (64 hex digits, with its escaped and base64 forms).
func BenchmarkNewSignatureSet(b *testing.B) {
	sig := randomToken(64)
	b.ReportAllocs()
	for b.Loop() {
		New(sig).Release()
	}
}

// BenchmarkNewTokenSet: building the Set of a 4 KB token, once per token.
func BenchmarkNewTokenSet(b *testing.B) {
	token := randomToken(4096)
	b.ReportAllocs()
	for b.Loop() {
		New(token)
	}
}
