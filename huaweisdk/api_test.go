package huaweisdk

import (
	"flag"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/apilist"
)

var updateAPI = flag.Bool("update-api", false, "rewrite ../api/huaweisdk.txt from the source")

// The exported API is listed in ../api/huaweisdk.txt, as the core's is: an
// export is added or removed on purpose, in a reviewed diff of that file.
func TestAPI(t *testing.T) {
	if err := apilist.Check(".", "../api/huaweisdk.txt", *updateAPI); err != nil {
		t.Fatal(err)
	}
}
