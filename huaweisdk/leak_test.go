package huaweisdk

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine a test starts, the SDK calls that GetJob abandons
// included, must have ended when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
