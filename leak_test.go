package taurusjob

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind: every
// request, timer and connection the client starts must end with the call.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
