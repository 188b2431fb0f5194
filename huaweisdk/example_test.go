package huaweisdk_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/huaweisdk"
)

// Build the SDK's client as usual, then adapt it. (Not run: it needs real
// credentials. Pass the getter to taurusjob.NewWaiter to wait for the job.)
func ExampleNewGetter() {
	auth, err := basic.NewCredentialsBuilder().
		WithAk(os.Getenv("CLOUD_SDK_AK")).
		WithSk(os.Getenv("CLOUD_SDK_SK")).
		WithProjectId(os.Getenv("CLOUD_SDK_PROJECT_ID")).
		SafeBuild()
	if err != nil {
		fmt.Println(err)
		return
	}
	hc, err := gaussdb.GaussDBClientBuilder().
		WithEndpoints([]string{"https://gaussdb.cn-north-4.myhuaweicloud.com"}).
		WithCredential(auth).
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(30 * time.Second)).
		SafeBuild()
	if err != nil {
		fmt.Println(err)
		return
	}
	getter, err := huaweisdk.NewGetter(gaussdb.NewGaussDBClient(hc), huaweisdk.WithLanguage("en-us"))
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := getter.GetJob(context.Background(), "f9959f52-aa4d-43f7-be74-44b6fc20b239")
	var apiErr *taurusjob.APIError
	switch {
	case errors.As(err, &apiErr):
		fmt.Println("the API answered", apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(job.Status, job.Progress)
	}
}
