package huaweisdk

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
)

const (
	testAK  = "TESTAKCROSSCHECK0000"
	testSK  = "test-SK-value-0123456789abcdef"
	testPID = "0123456789abcdef0123456789abcdef"
	testJob = "f9959f52-aa4d-43f7-be74-44b6fc20b239"
)

// newSDKClient builds the official SDK's client the way its users do,
// pointed at srv, with AK/SK (and a security token when token is set) and a
// project id, so that it makes no IAM call.
func newSDKClient(t *testing.T, srv *httptest.Server, token string, sdkTimeout time.Duration) *gaussdb.GaussDBClient {
	t.Helper()
	b := basic.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).WithProjectId(testPID)
	if token != "" {
		b = b.WithSecurityToken(token)
	}
	cred, err := b.SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := gaussdb.GaussDBClientBuilder().
		WithEndpoints([]string{srv.URL}).
		WithCredential(cred).
		// srv's own transport: srv.Close closes its idle connections, so no
		// keep-alive goroutine outlives the test.
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(sdkTimeout).
			WithHttpTransport(srv.Client().Transport.(*http.Transport))).
		SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return gaussdb.NewGaussDBClient(hc)
}

func newGetter(t *testing.T, client *gaussdb.GaussDBClient, opts ...Option) *Getter {
	t.Helper()
	g, err := NewGetter(client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
