package taurusjob_test

import (
	"flag"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/apilist"
)

var updateAPI = flag.Bool("update-api", false, "rewrite api/taurusjob.txt from the source")

// maxTopLevel is the budget of package-level names: a user reads the
// everyday path (NewClient, NewWaiter, Wait, the Poller, the errors) without
// wading through helpers that exist for the CLI or the adapters.
const maxTopLevel = 60

// The exported API is listed in api/taurusjob.txt: an export is added or
// removed on purpose, in a reviewed diff of that file, never by accident.
func TestAPI(t *testing.T) {
	if err := apilist.Check(".", "api/taurusjob.txt", *updateAPI); err != nil {
		t.Fatal(err)
	}
	lines, err := apilist.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	if n := apilist.TopLevel(lines); n > maxTopLevel {
		t.Errorf("the package exports %d top-level names; the budget is %d", n, maxTopLevel)
	}
}
