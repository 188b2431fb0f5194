package taurustemporal

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind: an
// activity's sleep, heartbeats and requests must end with the activity.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
