package huaweisdk

import (
	"net/http"
	"testing"
	"time"

	httpclient "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	dds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dds/v3"
	opengauss "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdbforopengauss/v3"
	rds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3"
	"github.com/taurusdb-tools/taurusjob"
)

// sdkHTTPClient builds an SDK HTTP client the way users do, from a
// service's builder, pointed at endpoint through transport, with AK/SK and
// a project id (so it makes no IAM call) and the SDK's timeout.
func sdkHTTPClient(t *testing.T, b *httpclient.HcHttpClientBuilder, endpoint string, transport *http.Transport, timeout time.Duration) *httpclient.HcHttpClient {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).WithProjectId(testPID).SafeBuild()
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

// siblingGetter builds the adapter of svc over the SDK's client of that
// service, pointed at endpoint.
func siblingGetter(t *testing.T, svc taurusjob.Service, endpoint string, transport *http.Transport, opts ...Option) taurusjob.JobGetter {
	t.Helper()
	var (
		g   taurusjob.JobGetter
		err error
	)
	switch svc {
	case taurusjob.ServiceRDS:
		g, err = NewRDSGetter(rds.NewRdsClient(sdkHTTPClient(t, rds.RdsClientBuilder(), endpoint, transport, 10*time.Second)), opts...)
	case taurusjob.ServiceOpenGauss:
		g, err = NewOpenGaussGetter(opengauss.NewGaussDBforopenGaussClient(
			sdkHTTPClient(t, opengauss.GaussDBforopenGaussClientBuilder(), endpoint, transport, 10*time.Second)), opts...)
	case taurusjob.ServiceDDS:
		g, err = NewDDSGetter(dds.NewDdsClient(sdkHTTPClient(t, dds.DdsClientBuilder(), endpoint, transport, 10*time.Second)), opts...)
	default:
		t.Fatalf("no sibling getter for %v", svc)
	}
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// siblings are the services with a getter of their own in this file's tests.
var siblings = []taurusjob.Service{taurusjob.ServiceRDS, taurusjob.ServiceOpenGauss, taurusjob.ServiceDDS}
