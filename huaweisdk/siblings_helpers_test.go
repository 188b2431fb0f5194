package huaweisdk

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	httpclient "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	dds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dds/v3"
	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
	opengauss "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdbforopengauss/v3"
	rds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3"
	"github.com/taurusdb-tools/taurusjob"
)

// sdkHTTPClient builds an SDK HTTP client the way users do, from a
// service's builder, pointed at endpoint through transport, with AK/SK and
// a project id (so it makes no IAM call) and the SDK's timeout.
func sdkHTTPClient(t *testing.T, b *httpclient.HcHttpClientBuilder, endpoint string, transport *http.Transport, timeout time.Duration) *httpclient.HcHttpClient {
	t.Helper()
	return sdkHTTPClientWithToken(t, b, endpoint, transport, timeout, "")
}

// sdkHTTPClientWithToken is sdkHTTPClient with a security token too, when
// token is set.
func sdkHTTPClientWithToken(t *testing.T, b *httpclient.HcHttpClientBuilder, endpoint string, transport *http.Transport, timeout time.Duration, token string) *httpclient.HcHttpClient {
	t.Helper()
	cb := basic.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).WithProjectId(testPID)
	if token != "" {
		cb = cb.WithSecurityToken(token)
	}
	cred, err := cb.SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := b.WithEndpoints([]string{endpoint}).WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(timeout).WithHttpTransport(transport)).
		SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

// builderOf is the SDK's client builder of svc, any of the four services.
func builderOf(t *testing.T, svc taurusjob.Service) *httpclient.HcHttpClientBuilder {
	t.Helper()
	switch svc {
	case taurusjob.ServiceTaurusDB:
		return gaussdb.GaussDBClientBuilder()
	case taurusjob.ServiceRDS:
		return rds.RdsClientBuilder()
	case taurusjob.ServiceOpenGauss:
		return opengauss.GaussDBforopenGaussClientBuilder()
	case taurusjob.ServiceDDS:
		return dds.DdsClientBuilder()
	}
	t.Fatalf("no SDK client for %v", svc)
	return nil
}

// adapterOver builds the adapter of svc, any of the four services, over
// the service's SDK client wrapping hc, as users build it.
func adapterOver(t *testing.T, svc taurusjob.Service, hc *httpclient.HcHttpClient, opts ...Option) taurusjob.JobGetter {
	t.Helper()
	var (
		g   taurusjob.JobGetter
		err error
	)
	switch svc {
	case taurusjob.ServiceTaurusDB:
		g, err = NewGetter(gaussdb.NewGaussDBClient(hc), opts...)
	case taurusjob.ServiceRDS:
		g, err = NewRDSGetter(rds.NewRdsClient(hc), opts...)
	case taurusjob.ServiceOpenGauss:
		g, err = NewOpenGaussGetter(opengauss.NewGaussDBforopenGaussClient(hc), opts...)
	case taurusjob.ServiceDDS:
		g, err = NewDDSGetter(dds.NewDdsClient(hc), opts...)
	default:
		t.Fatalf("no getter for %v", svc)
	}
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// siblingGetter builds the adapter of svc over the SDK's client of that
// service, pointed at endpoint.
func siblingGetter(t *testing.T, svc taurusjob.Service, endpoint string, transport *http.Transport, opts ...Option) taurusjob.JobGetter {
	t.Helper()
	if svc == taurusjob.ServiceTaurusDB {
		t.Fatalf("no sibling getter for %v", svc)
	}
	return adapterOver(t, svc, sdkHTTPClient(t, builderOf(t, svc), endpoint, transport, 10*time.Second), opts...)
}

// serviceGetter builds the adapter of svc, any of the four services, over
// the SDK's client of that service pointed at srv (through srv's own
// transport), with AK/SK and, when token is set, a security token.
func serviceGetter(t *testing.T, svc taurusjob.Service, srv *httptest.Server, token string, opts ...Option) taurusjob.JobGetter {
	t.Helper()
	hc := sdkHTTPClientWithToken(t, builderOf(t, svc), srv.URL, srv.Client().Transport.(*http.Transport), 10*time.Second, token)
	return adapterOver(t, svc, hc, opts...)
}

// siblings are the services with a getter of their own in this file's tests.
var siblings = []taurusjob.Service{taurusjob.ServiceRDS, taurusjob.ServiceOpenGauss, taurusjob.ServiceDDS}

// allServices are the four services with a getter in this package.
var allServices = append([]taurusjob.Service{taurusjob.ServiceTaurusDB}, siblings...)
