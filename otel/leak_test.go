package taurusjobotel

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine outlives a test: the hook starts none, and the SDK's
// in-memory recorder and manual reader start none either.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
