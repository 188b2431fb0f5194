package taurusjobtest_test

import (
	"flag"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/apilist"
)

var updateAPI = flag.Bool("update-api", false, "rewrite ../api/taurusjobtest.txt from the source")

// The exported API is listed in api/taurusjobtest.txt, as the root
// package's is in api/taurusjob.txt: an export of the fake is added or
// removed on purpose, in a reviewed diff of that file, never by accident.
func TestAPI(t *testing.T) {
	if err := apilist.Check(".", "../api/taurusjobtest.txt", *updateAPI); err != nil {
		t.Fatal(err)
	}
}
