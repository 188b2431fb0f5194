package huaweisdk

import (
	"strings"
	"sync"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// recentSignatures is how many of the latest request signatures the
// adapter looks for, each in its raw, escaped and base64 forms (about 16
// KB apiece): an answer echoes its own request's signature, or that of
// one of the few calls in flight beside it. An older one is still found
// by its shape ("Signature=<hex>", 64 hex digits).
const recentSignatures = 16

// signatureRecorder is the SDK client's credential, wrapped so that the
// adapter learns each request's signature as the SDK signs it: the SDK
// sends the request itself, out of the adapter's sight. It wraps a copy of
// the caller's SDK client (see NewGetter), never the caller's own.
type signatureRecorder struct {
	auth.ICredential
	mu   sync.Mutex
	sigs []string // ring of the latest, oldest overwritten first
	next int
	set  redact.Sets // one small Set a signature, rebuilt as the ring turns
}

// ProcessAuthRequest signs req with the wrapped credential and keeps the
// signature.
func (r *signatureRecorder) ProcessAuthRequest(c *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	signed, err := r.ICredential.ProcessAuthRequest(c, req)
	if signed != nil {
		if _, sig, ok := strings.Cut(signed.GetHeaderParams()["Authorization"], "Signature="); ok && sig != "" {
			r.add(sig)
		}
	}
	return signed, err
}

func (r *signatureRecorder) add(sig string) {
	set := redact.NewWith(redact.Options{Base64: true}, sig)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sigs) < recentSignatures {
		r.sigs, r.set = append(r.sigs, sig), append(r.set, set)
		return
	}
	r.sigs[r.next], r.set[r.next] = sig, set
	r.next = (r.next + 1) % recentSignatures
}

// secrets returns the Sets of the signatures kept; the slice is not
// changed afterwards, only replaced element by element under the lock, so
// it is copied.
func (r *signatureRecorder) secrets() redact.Sets {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append(redact.Sets(nil), r.set...)
}
